# syntax=docker/dockerfile:1
# The intent inference server: a JRE 17, the CLI and its libraries, running as a non-root user.
#
#   docker build -t intent-inference:0.1.0 .
#   docker run --rm -p 8000:8000 -v "$PWD/models:/models:ro" intent-inference:0.1.0
#
# docs/deploy.md explains the image, the Kubernetes manifests and the KServe runtime that use it.

# --- build: the same command as ./intent's first use, tests skipped (CI runs them) ---
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# The Maven repository (about 1 GB with the encoders and PyTorch) is cached between builds.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -DskipTests package

# --- runtime ---
FROM eclipse-temurin:17-jre
# A fixed uid/gid, so Kubernetes' runAsUser and volume ownership (fsGroup) can name it.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 intent \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp intent \
 && mkdir -p /models && chown 10001:10001 /models
# intent-cli.jar's manifest puts lib/*.jar on its class path (cli/pom.xml).
COPY --from=build /src/cli/target/lib/ /opt/intent/lib/
COPY --from=build /src/cli/target/intent-cli.jar /opt/intent/intent-cli.jar
COPY --chmod=0755 <<'SH' /opt/intent/bin/intent
#!/bin/sh
# exec: java is PID 1 and receives SIGTERM itself, which starts the drain (docs/deploy.md).
# set -f: INTENT_JAVA_OPTS splits on blanks but is never globbed (-Xlog:gc* stays as written).
set -f
exec java ${INTENT_JAVA_OPTS} -jar /opt/intent/intent-cli.jar "$@"
SH
# As ./intent sets them: fine-tuning (PyTorch) repeats bit for bit only when MKL keeps its thread
# count; huge pages for PyTorch's large tensors. The heap is a share of the container's memory
# limit: ONNX Runtime's memory is off-heap.
# Native libraries (ONNX Runtime, tokenizers) are unpacked under /tmp, the one writable place
# when the root filesystem is read-only.
ENV MKL_DYNAMIC=FALSE \
    OMP_DYNAMIC=FALSE \
    THP_MEM_ALLOC_ENABLE=1 \
    INTENT_JAVA_OPTS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError" \
    DJL_CACHE_DIR=/tmp/djl \
    HOME=/tmp
USER 10001:10001
WORKDIR /tmp
VOLUME ["/models"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8000/v2/health/live"]
ENTRYPOINT ["/opt/intent/bin/intent", "serve"]
CMD ["--host", "0.0.0.0", "--repository", "/models"]
