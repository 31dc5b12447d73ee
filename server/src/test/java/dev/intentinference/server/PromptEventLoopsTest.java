package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.Flags;
import com.linecorp.armeria.common.util.TransportType;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;

class PromptEventLoopsTest {
  @Test
  void theLoopsUseArmeriasTransport() {
    EventLoopGroup workers = PromptEventLoops.workers(2);
    EventLoopGroup acceptor = PromptEventLoops.acceptor("acceptor-test");
    try {
      assertThat(TransportType.serverChannelType(workers)).isEqualTo(Flags.transportType().serverChannelType());
      assertThat(TransportType.serverChannelType(acceptor)).isEqualTo(Flags.transportType().serverChannelType());
    } finally {
      workers.shutdownGracefully();
      acceptor.shutdownGracefully();
    }
  }

  /** Netty's own default waits two seconds without tasks before it stops; these loops do not wait. */
  @Test
  void aGracefulShutdownEndsWithoutAQuietPeriod() {
    EventLoopGroup workers = PromptEventLoops.workers(1);
    workers.submit(() -> { });
    assertThat(workers.shutdownGracefully().awaitUninterruptibly(1_500)).as("terminated within 1.5 s").isTrue();
    assertThat(workers.isTerminated()).isTrue();
  }
}
