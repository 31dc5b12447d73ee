package dev.intentinference.bench;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP and gRPC targets' client: armeria's client factory on event loops of its own, which
 * stop without Netty's default graceful shutdown. That shutdown first waits for two seconds without
 * a task, and a factory that owns its loops waits for it, so each run paid two seconds at its end
 * after its last request was answered.
 */
record ClientLoops(EventLoopGroup loops, ClientFactory factory) implements AutoCloseable {
  private static final long STOP_TIMEOUT_SECONDS = 15;

  static ClientLoops open(TargetOptions options) {
    EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(options.clientThreads());
    ClientFactory factory = ClientFactory.builder()
        .workerGroup(loops, false)
        .connectTimeoutMillis(Math.min(10_000, options.timeout().toMillis()))
        .build();
    return new ClientLoops(loops, factory);
  }

  @Override
  public void close() {
    factory.close();
    loops.shutdownGracefully(0, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
