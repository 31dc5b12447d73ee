// A preload library that refuses Linux's AMX permission request (arch_prctl ARCH_REQ_XCOMP_PERM),
// so ONNX Runtime's MLAS falls back to its AVX-512 VNNI kernels on a CPU that has AMX. It lets one
// machine measure the same artifact with and without AMX, back to back (docs/perf.md).
//
//   gcc -O2 -shared -fPIC -o /tmp/no-amx.so scripts/perf/no-amx.c -ldl
//   ENV_B=LD_PRELOAD=/tmp/no-amx.so scripts/perf/batch1-ab.sh A.intent A.intent
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

#define ARCH_REQ_XCOMP_PERM 0x1023

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  // syscall() takes up to six arguments after the number; on x86-64 they arrive in registers,
  // so reading six when fewer were passed is harmless, and all six are passed on unchanged.
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  if (number == SYS_arch_prctl && a[0] == ARCH_REQ_XCOMP_PERM) {
    errno = EPERM;
    return -1;
  }
  static long (*real)(long, ...);
  if (!real) real = (long (*)(long, ...)) dlsym(RTLD_NEXT, "syscall");
  return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
