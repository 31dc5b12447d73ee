package dev.intentinference.server;

import com.linecorp.armeria.common.Flags;
import com.linecorp.armeria.common.util.ThreadFactories;
import com.linecorp.armeria.common.util.TransportType;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The server's event loops (its acceptor and its I/O threads), on the transport armeria would
 * choose, that stop as soon as the server has stopped. Armeria stops its loops with Netty's
 * default graceful shutdown, which waits for two seconds without tasks first; by then every
 * connection is closed and every request answered, so that wait only delayed each shutdown (a
 * SIGTERM, a test's server) by two to three seconds.
 */
final class PromptEventLoops extends MultiThreadIoEventLoopGroup {
  private static final long STOP_TIMEOUT_SECONDS = 15;

  private PromptEventLoops(int threads, String name) {
    super(threads, ThreadFactories.newEventLoopThreadFactory(name, false), ioHandlers());
  }

  /** The I/O threads: {@code threads} loops named {@code intent-io-*}. */
  static EventLoopGroup workers(int threads) {
    return new PromptEventLoops(threads, "intent-io");
  }

  /** Armeria's boss-group factory: one acceptor loop per port, named as armeria names it. */
  static EventLoopGroup acceptor(String threadName) {
    return new PromptEventLoops(1, threadName);
  }

  // Boss and worker loops must share a transport. Where armeria would pick another one (kqueue
  // on macOS), both use NIO, which works everywhere.
  private static IoHandlerFactory ioHandlers() {
    return Flags.transportType() == TransportType.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  @Override
  public Future<?> shutdownGracefully() {
    return shutdownGracefully(0, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
