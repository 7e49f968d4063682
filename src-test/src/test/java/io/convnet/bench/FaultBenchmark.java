package io.convnet.bench;

import io.convnet.e2e.BrokerOutage;
import io.convnet.e2e.WorkerKill;
import io.convnet.kafka.local.LocalKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The fault scenarios as a program that prints their figures (the tests assert them with room
 * for a shared CPU): the broker stopped {@code outage} seconds under light load, then one of two
 * inference workers SIGKILLed under classify load at concurrency 8.
 *
 * <p>Run with {@code ./bench-faults.sh [outage-seconds, default 15] [runs, default 1]}.
 */
public final class FaultBenchmark {
  private FaultBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Duration outage = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 15);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    System.out.printf("%s, %d cores%n", io.convnet.util.Machine.cpu(), Runtime.getRuntime().availableProcessors());
    for (int run = 1; run <= runs; run++) {
      Path dir = Files.createTempDirectory("convnet-faults-");
      System.out.println("run " + run + ": " + BrokerOutage.run(dir, outage));
      try (LocalKafkaBroker broker = LocalKafkaBroker.startEphemeral()) {
        System.out.println("run " + run + ": " + WorkerKill.run(dir, broker.bootstrapServers(), 8, Duration.ofSeconds(3),
            Duration.ofSeconds(15)));
      }
    }
    System.exit(0);
  }
}
