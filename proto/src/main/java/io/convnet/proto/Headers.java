package io.convnet.proto;

/** Kafka record header names. Values are UTF-8 text so that tools like kcat can read them. */
public final class Headers {
  private Headers() {
  }

  /** Request/reply: id the reply carries back. */
  public static final String CORRELATION_ID = "convnet-correlation-id";
  /** Request/reply: topic the reply goes to. */
  public static final String REPLY_TOPIC = "convnet-reply-topic";
  /** Request/reply: partition of the reply topic owned by the asking instance. */
  public static final String REPLY_PARTITION = "convnet-reply-partition";
  /** Request/reply: epoch millis after which nobody waits for the answer any more. */
  public static final String DEADLINE_MS = "convnet-deadline-ms";
  /** Request/reply: which exchange a request belongs to (see {@link Exchanges}). */
  public static final String EXCHANGE = "convnet-exchange";
  /**
   * Replies: set (with {@link #ERROR_MESSAGE}) instead of a reply value when the responder
   * could not answer; an {@link ErrorCode} name. The requester fails the request with it.
   */
  public static final String ERROR_CODE = "convnet-error-code";
  /** Replies: what went wrong, for a person. */
  public static final String ERROR_MESSAGE = "convnet-error-message";
  /**
   * Replies: the instance that answered. A requester re-sends an unanswered idempotent request
   * only to a partition another instance answers.
   */
  public static final String RESPONDER = "convnet-responder";

  /**
   * Score requests: the model to use when the value is a bare image or JSON without a model,
   * {@code <name>} or {@code <name>:<version>}.
   */
  public static final String MODEL = "convnet-model";
  /** Record value format: "application/x-protobuf" (default), "application/json", "image/jpeg", "image/png". */
  public static final String CONTENT_TYPE = "content-type";

  /** Score results: the most probable class and its probability, readable without protobuf (kcat). */
  public static final String RESULT_LABEL = "convnet-label";
  public static final String RESULT_PROBABILITY = "convnet-probability";
  /** Score results: the model that scored the record, {@code <name>:<version>}. */
  public static final String RESULT_MODEL = "convnet-scored-by";

  /** Dead letters: why the record could not be processed. */
  public static final String DLQ_REASON = "convnet-dlq-reason";
  public static final String DLQ_EXCEPTION_CLASS = "convnet-dlq-exception-class";
  public static final String DLQ_SOURCE_TOPIC = "convnet-dlq-source-topic";
  public static final String DLQ_SOURCE_PARTITION = "convnet-dlq-source-partition";
  public static final String DLQ_SOURCE_OFFSET = "convnet-dlq-source-offset";
}
