package io.convnet.bench;

import io.convnet.kafka.local.LocalKafkaBroker;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The yardstick: the least code that makes the same trip. A raw Vert.x HTTP server
 * produces each body to a request topic keyed by a counter; an echo consumer produces it
 * back to a reply topic; a reply consumer ends the HTTP response. No headers, no
 * protobuf, no metrics, no limits.
 */
final class BareEcho implements AutoCloseable {
  private static final String REQUESTS = "bench.bare.requests";
  private static final String REPLIES = "bench.bare.replies";

  private final Vertx vertx;
  private final KafkaProducer<String, byte[]> gatewayProducer;
  private final KafkaProducer<String, byte[]> workerProducer;
  private final KafkaConsumer<String, byte[]> workerConsumer;
  private final KafkaConsumer<String, byte[]> replyConsumer;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean running = true;
  private final HttpServer server;

  private record Pending(Context context, HttpServerResponse response) {
  }

  BareEcho(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      for (NewTopic t : List.of(new NewTopic(REQUESTS, 4, (short) 1), new NewTopic(REPLIES, 8, (short) 1))) {
        try {
          admin.createTopics(List.of(t)).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
    gatewayProducer = producer(bootstrap);
    workerProducer = producer(bootstrap);
    workerConsumer = consumer(bootstrap, "bench-bare-worker");
    workerConsumer.subscribe(List.of(REQUESTS));
    replyConsumer = consumer(bootstrap, null);
    List<TopicPartition> replyPartitions = replyConsumer.partitionsFor(REPLIES).stream()
        .map(p -> new TopicPartition(REPLIES, p.partition())).toList();
    replyConsumer.assign(replyPartitions);
    replyConsumer.seekToEnd(replyPartitions);
    replyPartitions.forEach(replyConsumer::position);
    gatewayProducer.partitionsFor(REQUESTS);
    workerProducer.partitionsFor(REPLIES);
    start("bare-worker", this::echoLoop);
    start("bare-replies", this::replyLoop);

    vertx = Vertx.vertx();
    server = LoadGenerator.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String id = Long.toString(ids.incrementAndGet());
      pending.put(id, new Pending(Vertx.currentContext(), req.response()));
      gatewayProducer.send(new ProducerRecord<>(REQUESTS, id, body.getBytes()));
    })).listen(LocalKafkaBroker.freePort(), "127.0.0.1"));
    // The worker's group must own the partitions before the first request.
    long until = System.currentTimeMillis() + 30_000;
    while (workerAssigned == 0 && System.currentTimeMillis() < until) {
      Thread.sleep(50);
    }
  }

  private volatile int workerAssigned;

  int port() {
    return server.actualPort();
  }

  private void echoLoop() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : workerConsumer.poll(Duration.ofMillis(100))) {
          workerProducer.send(new ProducerRecord<>(REPLIES, r.key(), r.value()));
        }
        workerAssigned = workerConsumer.assignment().size();
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      workerConsumer.close();
    }
  }

  private void replyLoop() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : replyConsumer.poll(Duration.ofMillis(100))) {
          Pending p = pending.remove(r.key());
          if (p != null) {
            byte[] value = r.value();
            p.context().runOnContext(v -> p.response().end(io.vertx.core.buffer.Buffer.buffer(value)));
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      replyConsumer.close();
    }
  }

  private static void start(String name, Runnable loop) {
    Thread t = new Thread(loop, name);
    t.setDaemon(true);
    t.start();
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("linger.ms", 0);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    if (group != null) {
      p.put("group.id", group);
    }
    p.put("enable.auto.commit", group != null);
    p.put("auto.offset.reset", "latest");
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public void close() {
    running = false;
    workerConsumer.wakeup();
    replyConsumer.wakeup();
    LoadGenerator.await(vertx.close());
    gatewayProducer.close();
    workerProducer.close();
  }
}
