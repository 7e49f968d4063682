package io.convnet.kit.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients that open connections and trickle a request's headers without ever finishing them
 * (slowloris): how long until the server has closed every one.
 */
public final class SlowHeaderClients implements AutoCloseable {
  private final List<Socket> sockets = new ArrayList<>();

  /** {@code count} connections to {@code port}, each sent {@code requestLine} and one header, no end. */
  public SlowHeaderClients(int port, int count, String requestLine) {
    try {
      for (int i = 0; i < count; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(1);
        s.getOutputStream().write((requestLine + "\r\nHost: x\r\n").getBytes(StandardCharsets.US_ASCII));
        sockets.add(s);
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends every open connection one more header line every 100 ms (never idle, never done), and
   * between rounds runs {@code beside}, until the server has closed them all or {@code limitMs}
   * passed. Returns the connections still open.
   */
  public int trickleUntilClosed(long limitMs, Runnable beside) throws InterruptedException {
    long until = System.nanoTime() + limitMs * 1_000_000L;
    int open = sockets.size();
    while (open > 0 && System.nanoTime() < until) {
      open = 0;
      for (Socket s : sockets) {
        if (s.isClosed()) {
          continue;
        }
        if (closedByServer(s)) {
          closeQuietly(s);
        } else {
          open++;
        }
      }
      beside.run();
      Thread.sleep(100);
    }
    return open;
  }

  /** True once the server has closed {@code s} (end of stream, reset, or a refused write); false while it is open. */
  static boolean closedByServer(Socket s) {
    try {
      s.getOutputStream().write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException closedOrReset) {
      return true;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closed anyway
    }
  }

  @Override
  public void close() {
    sockets.forEach(SlowHeaderClients::closeQuietly);
  }
}
