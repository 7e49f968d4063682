package io.convnet.ingraph;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * The first {@code length} bytes of a string tensor as int32 values 0..255, zero-padded to a fixed length,
 * with bounds-safe reads: an index outside the window reads 0, so parsing a short or malformed header
 * yields "not found" instead of an error.
 */
final class ByteWindow {
  private final Ops tf;
  private final Operand<TInt32> bytes;
  private final int length;

  private ByteWindow(Ops tf, Operand<TInt32> bytes, int length) {
    this.tf = tf;
    this.bytes = bytes;
    this.length = length;
  }

  static ByteWindow of(Ops tf, Operand<TString> data, int length) {
    Operand<TString> head = tf.strings.substr(data, tf.constant(0), tf.constant(length));
    Operand<TInt32> raw = tf.dtypes.cast(tf.io.decodeRaw(head, TUint8.class), TInt32.class);
    // pad to length + 1 and keep the first length + 1: the last slot is always 0, the target of clamped reads
    Operand<TInt32> padded = tf.pad(raw, tf.constant(new int[][] {{0, length + 1}}), tf.constant(0));
    return new ByteWindow(tf, tf.slice(padded, tf.constant(new int[] {0}), tf.constant(new int[] {length + 1})),
        length);
  }

  int length() {
    return length;
  }

  /** All {@code length + 1} values (the last is 0). */
  Operand<TInt32> all() {
    return bytes;
  }

  /** The byte at {@code index} (any int32 scalar or vector of indices); 0 outside the window. */
  Operand<TInt32> u8(Operand<TInt32> index) {
    Operand<TBool> inside = tf.math.logicalAnd(tf.math.greaterEqual(index, tf.constant(0)),
        tf.math.less(index, tf.constant(length)));
    Operand<TInt32> outside = tf.math.add(tf.zerosLike(index), tf.constant(length));
    return tf.gather(bytes, tf.select(inside, index, outside), tf.constant(0));
  }

  Operand<TInt32> u8(int index) {
    return u8(tf.constant(index));
  }

  /** An unsigned 16-bit value at {@code index}, little- or big-endian. */
  Operand<TInt32> u16(Operand<TInt32> index, Operand<TBool> littleEndian) {
    Operand<TInt32> b0 = u8(index);
    Operand<TInt32> b1 = u8(tf.math.add(index, tf.constant(1)));
    return tf.select(littleEndian, tf.math.add(b0, tf.math.mul(b1, tf.constant(256))),
        tf.math.add(tf.math.mul(b0, tf.constant(256)), b1));
  }

  /** A 32-bit value at {@code index} (offsets and counts; negative when the top bit is set). */
  Operand<TInt32> u32(Operand<TInt32> index, Operand<TBool> littleEndian) {
    Operand<TInt32> lo = u16(index, littleEndian);
    Operand<TInt32> hi = u16(tf.math.add(index, tf.constant(2)), littleEndian);
    Operand<TInt32> k = tf.constant(65536);
    return tf.select(littleEndian, tf.math.add(lo, tf.math.mul(hi, k)), tf.math.add(tf.math.mul(lo, k), hi));
  }

  /** Whether the window starts with {@code prefix}. */
  Operand<TBool> startsWith(int... prefix) {
    Operand<TInt32> head = tf.slice(bytes, tf.constant(new int[] {0}), tf.constant(new int[] {prefix.length}));
    return tf.reduceAll(tf.math.equal(head, tf.constant(prefix)), tf.constant(0));
  }
}
