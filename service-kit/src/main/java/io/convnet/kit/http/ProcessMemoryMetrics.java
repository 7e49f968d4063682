package io.convnet.kit.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code process_resident_memory_bytes}: the resident set of the whole process, as the kernel
 * counts it. TensorFlow's tensors and models live outside the Java heap, so the JVM's own
 * memory metrics miss most of a worker's memory; this is what the container limit applies to.
 * Linux only (read from {@code /proc/self/status}); elsewhere the gauge is not registered.
 */
final class ProcessMemoryMetrics implements MeterBinder {
  private static final Path STATUS = Path.of("/proc/self/status");

  @Override
  public void bindTo(MeterRegistry registry) {
    if (residentBytes() < 0) {
      return;
    }
    Gauge.builder("process.resident.memory", ProcessMemoryMetrics::residentBytes)
        .description("Resident set size of the process (Java heap, TensorFlow's native memory and the rest)")
        .baseUnit(BaseUnits.BYTES)
        .register(registry);
  }

  /** VmRSS of /proc/self/status in bytes, or -1 where there is no such file. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:    123456 kB"
          String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024.0;
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
