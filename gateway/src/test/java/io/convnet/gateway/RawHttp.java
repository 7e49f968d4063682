package io.convnet.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection driven byte by byte, for what stock clients do not let a test control:
 * when the body is sent after {@code Expect: 100-continue}, a body that stalls, headers that trickle.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A POST's request line and headers, {@code extraHeaders} each ending in CRLF. */
  public RawHttp head(String path, String contentType, long contentLength, String extraHeaders) {
    return send(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
        + "\r\nContent-Length: " + contentLength + "\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  public RawHttp send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next response head (status line and headers), or "" when the connection ended first; waits up to {@code ms}. */
  public String readHead(int ms) {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      socket.setSoTimeout(ms);
      while (true) {
        int b = in.read();
        if (b < 0) {
          return head.toString(StandardCharsets.US_ASCII);
        }
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          return head.toString(StandardCharsets.US_ASCII);
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no response head within " + ms + " ms; got '" + head + "'");
    } catch (IOException e) {
      return head.toString(StandardCharsets.US_ASCII);
    }
  }

  /** The body of a response whose head said Content-Length. */
  public String readBody(String head) {
    int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
        .findFirst().orElseThrow().substring(15).trim());
    try {
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when the server closes the connection within {@code ms} (what it still sends is skipped). */
  public boolean closedWithin(int ms) {
    long until = System.nanoTime() + ms * 1_000_000L;
    try {
      while (System.nanoTime() < until) {
        socket.setSoTimeout((int) Math.max(1, (until - System.nanoTime()) / 1_000_000));
        if (in.read() < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;  // reset
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
