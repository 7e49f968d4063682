package io.convnet.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void topicNamesAreUniqueAndNamespaced() {
    var names = Topics.ALL.stream().map(Topic::name).collect(Collectors.toList());
    assertThat(names).doesNotHaveDuplicates().allMatch(n -> n.startsWith("convnet."));
  }

  @Test
  void everyExchangeRequestsOnAKnownTopic() {
    assertThat(Exchanges.ALL).allMatch(e -> Topics.ALL.contains(e.requests()));
    assertThat(Exchanges.ALL.stream().map(Exchange::name)).doesNotHaveDuplicates();
  }

  @Test
  void onlyTheModelsTopicIsCompacted() {
    assertThat(Topics.ALL.stream().filter(Topic::compacted)).containsExactly(Topics.MODELS);
  }

  @Test
  void aTopicParsesItsOwnMessageType() throws Exception {
    var request = ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("cats-vs-dogs").setVersion(3))
        .addImages(Image.newBuilder().setData(ByteString.copyFromUtf8("jpeg bytes")))
        .build();
    assertThat(Topics.CLASSIFY_REQUESTS.parse(request.toByteArray())).isEqualTo(request);
  }

  @Test
  void theRepliesTopicRefusesToGuessItsType() {
    assertThatThrownBy(() -> Topics.REPLIES.parse(new byte[0]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Exchange");
  }
}
