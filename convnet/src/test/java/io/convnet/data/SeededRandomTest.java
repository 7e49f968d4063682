package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

  @Test
  void theSameKeysGiveTheSameSequence() {
    SeededRandom a = SeededRandom.of(42, 1, 7);
    SeededRandom b = SeededRandom.of(42, 1, 7);
    for (int i = 0; i < 100; i++) {
      assertThat(a.nextLong()).isEqualTo(b.nextLong());
    }
    assertThat(SeededRandom.of(42, 1, 7).nextLong()).isNotEqualTo(SeededRandom.of(42, 7, 1).nextLong());
  }

  @Test
  void shuffleIsAPermutationAndBoundsHold() {
    int[] values = new int[1000];
    Arrays.setAll(values, i -> i);
    SeededRandom.of(3).shuffle(values);
    assertThat(values).isNotEqualTo(java.util.stream.IntStream.range(0, 1000).toArray());
    assertThat(Arrays.stream(values).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 1000).toArray());
    SeededRandom r = SeededRandom.of(9);
    int[] counts = new int[3];
    for (int i = 0; i < 3000; i++) {
      double d = r.nextDouble();
      assertThat(d).isGreaterThanOrEqualTo(0).isLessThan(1);
      counts[r.nextInt(3)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(850, 1150);
    }
  }
}
