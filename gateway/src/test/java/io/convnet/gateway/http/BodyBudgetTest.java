package io.convnet.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BodyBudgetTest {
  static final long MB = 1 << 20;

  @Test
  void smallBodiesMayFillTheWholeBudgetAndGetTheirBytesBack() {
    BodyBudget budget = new BodyBudget(10 * MB);
    for (int i = 0; i < 10; i++) {
      assertThat(budget.tryTake(MB)).isTrue();
    }
    assertThat(budget.tryTake(1)).isFalse();
    budget.giveBack(MB);
    assertThat(budget.tryTake(MB)).isTrue();
    assertThat(budget.held()).isEqualTo(10 * MB);
  }

  @Test
  void largeBodiesTogetherHoldAtMostHalfSoSmallOnesAlwaysFindRoom() {
    BodyBudget budget = new BodyBudget(40 * MB);
    assertThat(budget.tryTake(12 * MB)).isTrue();
    assertThat(budget.tryTake(8 * MB)).isTrue();
    assertThat(budget.tryTake(2 * MB)).as("a third large body would pass half").isFalse();
    for (int i = 0; i < 20; i++) {
      assertThat(budget.tryTake(MB)).as("small body " + i).isTrue();
    }
    assertThat(budget.tryTake(MB)).isFalse();
    budget.giveBack(12 * MB);
    assertThat(budget.tryTake(13 * MB)).as("8 + 13 MB of large bodies").isFalse();
    assertThat(budget.tryTake(12 * MB)).isTrue();
    assertThat(budget.held()).isEqualTo(40 * MB);
  }

  @Test
  void oneLargeBodyAloneMayHoldMoreThanHalf() {
    BodyBudget budget = new BodyBudget(30 * MB);
    assertThat(budget.tryTake(24 * MB)).isTrue();
    assertThat(budget.tryTake(2 * MB)).isFalse();
    assertThat(budget.tryTake(MB)).isTrue();
    assertThat(budget.tryTake(30 * MB)).isFalse();
  }

  @Test
  void aBudgetMustBePositive() {
    assertThatThrownBy(() -> new BodyBudget(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
