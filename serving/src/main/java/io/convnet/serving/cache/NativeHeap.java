package io.convnet.serving.cache;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the memory that the C allocator keeps after a model version is closed back to the system.
 * A closed TensorFlow model frees its weights (large blocks, mmap'ed and returned at once) and tens
 * of thousands of small blocks (graph, kernels, their state) that glibc's malloc keeps as holes in
 * its arenas, interleaved with what other versions and threads still use: resident memory crept up
 * with loads and unloads of old versions until {@code malloc_trim(0)} returned it (measured:
 * {@code ./bench-serving.sh versions}, docs/models.md). The JVM's diagnostic command {@code
 * System.trim_native_heap} calls {@code malloc_trim}; it is reached through the platform MBean
 * server, so no native code of our own is needed.
 */
final class NativeHeap {
  private static final Logger LOG = LoggerFactory.getLogger(NativeHeap.class);
  private static final String OPERATION = "systemTrimNativeHeap";

  private NativeHeap() {
  }

  /** Trims the C heap; false (and a warning, once) where the JVM or the C library cannot. */
  static boolean trim() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      Object result = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), OPERATION,
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      String text = String.valueOf(result).trim();  // e.g. "Trim native heap: RSS+Swap: 1125M->1101M (-24128K)"
      if (text.startsWith("Trim native heap") && !text.contains("failed")) {
        LOG.debug("{}", text);
        return true;
      }
      Unsupported.warnOnce(text);
    } catch (JMException | RuntimeException e) {
      Unsupported.warnOnce(e.toString());
    }
    return false;
  }

  /** Holds the one warning that trimming is not possible in this JVM. */
  private static final class Unsupported {
    private static boolean warned;

    static synchronized void warnOnce(String why) {
      if (!warned) {
        warned = true;
        LOG.warn("cannot give freed native memory back after unloading models ({}): resident memory may stay "
            + "at its highest (glibc and System.trim_native_heap, JDK 17.0.9 or later, are needed)", why);
      }
    }
  }
}
