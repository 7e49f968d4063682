package io.convnet.visualizer;

import com.google.protobuf.ByteString;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelRef;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.convnet.serving.cache.Lease;
import io.convnet.serving.cache.ModelCache;
import io.convnet.viz.ActivationMaximization;
import io.convnet.viz.ActivationMaximization.FilterImage;
import io.convnet.viz.AscentOptions;
import io.convnet.viz.ClassVisualization;
import io.convnet.viz.FilterGrid;
import io.convnet.viz.NaturalMaxima;
import io.convnet.viz.Rendering;
import io.convnet.viz.VisualModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Activation maximization as asynchronous jobs. A start is checked at once (model, layers, filter
 * indices, label, options: bad ones fail the start with INVALID_ARGUMENT), then answered from the
 * result cache (keyed by model version, kind and the resolved parameters) or queued. At most
 * {@code maxRunning} jobs run at once (each holds a batch of images and its gradients) and at most
 * {@code maxQueued} wait; beyond that a start gets BUSY, so memory stays bounded. Job ids come from
 * the gateway (the same request gives the same id); the table keeps the newest {@value #MAX_JOBS}.
 */
final class AscentJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AscentJobs.class);
  static final int MAX_JOBS = 256;
  /** Most filter images one job makes. */
  static final int MAX_IMAGES = 256;
  static final int DEFAULT_COUNT = 8;

  enum State {
    QUEUED, RUNNING, DONE, FAILED;

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A finished result: the grid PNG and the JSON. */
  record Result(ModelRef model, byte[] png, String json) {}

  final class Job {
    final String id;
    final String kind;
    final String cacheKey;
    final ModelRef model;
    final long seq;
    volatile State state = State.QUEUED;
    volatile double progress;
    volatile String error;
    volatile Result result;

    Job(String id, String kind, String cacheKey, ModelRef model) {
      this.id = id;
      this.kind = kind;
      this.cacheKey = cacheKey;
      this.model = model;
      this.seq = sequence.incrementAndGet();
    }
  }

  private final ModelCache<VisualVersion> models;
  private final int maxRunning;
  private final int maxQueued;
  private final int cacheEntries;
  private final int batch;
  private final ExecutorService executor;
  private final AtomicLong sequence = new AtomicLong();
  private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();
  private final LinkedHashMap<String, Result> cache = new LinkedHashMap<>(16, 0.75f, true);
  private int active;

  AscentJobs(ModelCache<VisualVersion> models, int maxRunning, int maxQueued, int cacheEntries, int batch) {
    this.models = models;
    this.batch = Math.max(1, batch);
    this.maxRunning = Math.max(1, maxRunning);
    this.maxQueued = Math.max(0, maxQueued);
    this.cacheEntries = Math.max(0, cacheEntries);
    AtomicLong threads = new AtomicLong();
    this.executor = new ThreadPoolExecutor(this.maxRunning, this.maxRunning, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "viz-job-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** What a job will compute, checked and resolved before it is queued. */
  private interface Plan {
    String kind();

    String cacheKey();

    Result run(VisualVersion version, Job job);
  }

  /** Starts (or finds) the job of a filters or class_output request. Blocking: it may load the model. */
  VisualizeReply start(VisualizeRequest r) {
    if (r.getJobId().isEmpty()) {
      throw Failures.invalid("an activation-maximization request needs a job id");
    }
    Plan plan;
    ModelRef ref;
    try (Lease<VisualVersion> lease = models.acquireBlocking(r.getModel().getName(), r.getModel().getVersion())) {
      ref = ModelRef.newBuilder().setName(lease.name()).setVersion(lease.version()).build();
      VisualModel m = lease.model().visual();
      plan = r.hasFilters() ? filtersPlan(m, r.getFilters()) : classPlan(m, r.getClassOutput());
    }
    synchronized (this) {
      Job existing = jobs.get(r.getJobId());
      if (existing != null && existing.state != State.FAILED && existing.model.equals(ref)) {
        return status(existing);
      }
      Job job = new Job(r.getJobId(), plan.kind(), plan.cacheKey(), ref);
      Result cached = cache.get(plan.cacheKey());
      if (cached != null) {
        job.result = cached;
        job.progress = 1;
        job.state = State.DONE;
        put(job);
        return status(job);
      }
      if (active >= maxRunning + maxQueued) {
        throw new ServiceException(ErrorCode.BUSY, active + " visualization jobs are running or queued on this "
            + "instance (limit " + (maxRunning + maxQueued) + "); retry later");
      }
      active++;
      put(job);
      executor.execute(() -> run(job, plan));
      return status(job);
    }
  }

  /** A job's status, or with {@code result} its PNG/JSON. Not blocking. */
  VisualizeReply query(VisualizeRequest r) {
    Job job;
    synchronized (this) {
      job = jobs.get(r.getJobId());
    }
    if (job == null) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "no visualization job '" + r.getJobId() + "' here (finished "
          + "jobs are kept for a while, and a restart forgets them): POST the same request again to start it");
    }
    if (!r.getJob().getResult()) {
      return status(job);
    }
    Result res = job.result;
    if (job.state == State.FAILED) {
      throw new ServiceException(ErrorCode.INTERNAL, "visualization job " + job.id + " failed: " + job.error);
    }
    if (res == null) {
      throw new ServiceException(ErrorCode.CONFLICT, "visualization job " + job.id + " is " + job.state.id()
          + String.format(Locale.ROOT, " (%.0f%%); its result is not ready yet", 100 * job.progress));
    }
    VisualizeReply.Builder b = status(job).toBuilder();
    return r.getWantJson() ? b.setJson(res.json()).build() : b.setPng(ByteString.copyFrom(res.png())).build();
  }

  private VisualizeReply status(Job job) {
    VisualizeReply.Builder b = VisualizeReply.newBuilder().setJobId(job.id).setJobKind(job.kind)
        .setJobState(job.state.id()).setProgress(job.progress).setModel(job.model);
    if (job.error != null) {
      b.setJobError(job.error);
    }
    if (job.state == State.QUEUED) {
      synchronized (this) {
        b.setQueuePosition((int) jobs.values().stream().filter(j -> j.state == State.QUEUED && j.seq < job.seq).count());
      }
    }
    return b.build();
  }

  private void put(Job job) {
    jobs.remove(job.id);
    jobs.put(job.id, job);
    Iterator<Job> it = jobs.values().iterator();
    while (jobs.size() > MAX_JOBS && it.hasNext()) {
      Job j = it.next();
      if (j.state == State.DONE || j.state == State.FAILED) {
        it.remove();
      }
    }
  }

  private void run(Job job, Plan plan) {
    job.state = State.RUNNING;
    long t0 = System.nanoTime();
    try (Lease<VisualVersion> lease = models.acquireBlocking(job.model.getName(), job.model.getVersion())) {
      Result result = plan.run(lease.model(), job);
      synchronized (this) {
        if (cacheEntries > 0) {
          cache.put(plan.cacheKey(), result);
          Iterator<String> it = cache.keySet().iterator();
          while (cache.size() > cacheEntries && it.hasNext()) {
            it.next();
            it.remove();
          }
        }
      }
      job.result = result;
      job.progress = 1;
      job.state = State.DONE;
      LOG.info("job {} ({} of {} v{}) done in {} ms", job.id, job.kind, job.model.getName(), job.model.getVersion(),
          (System.nanoTime() - t0) / 1_000_000);
    } catch (Throwable t) {
      job.error = t.getMessage() == null ? t.toString() : t.getMessage();
      job.state = State.FAILED;
      if (executor.isShutdown()) {
        LOG.info("job {} stopped by shutdown: {}", job.id, job.error);
      } else {
        LOG.error("job {} failed", job.id, t);
      }
    } finally {
      synchronized (this) {
        active--;
      }
    }
  }

  private Plan filtersPlan(VisualModel m, io.convnet.proto.Filters f) {
    AscentOptions options = Requests.ascent(f.getAscent());
    List<String> layers = f.getLayersList().isEmpty() ? m.lastConvOfEachBlock() : List.copyOf(f.getLayersList());
    if (layers.isEmpty()) {
      throw Failures.invalid("model '" + m.name() + "' has no conv layer");
    }
    int count = f.getCount() == 0 ? DEFAULT_COUNT : f.getCount();
    if (count < 1 || count > ActivationMaximization.MAX_FILTERS) {
      throw Failures.invalid("count must be 1.." + ActivationMaximization.MAX_FILTERS + ", not " + count);
    }
    Map<String, int[]> plan = new LinkedHashMap<>();
    int images = 0;
    for (String layer : layers) {
      m.convLayer(layer);
      int[] filters = f.getFiltersList().isEmpty()
          ? java.util.stream.IntStream.range(0, Math.min(count, m.channels(layer))).toArray()
          : f.getFiltersList().stream().mapToInt(Integer::intValue).toArray();
      ActivationMaximization.check(m, layer, filters);
      plan.put(layer, filters);
      images += filters.length;
    }
    if (images > MAX_IMAGES) {
      throw Failures.invalid(images + " filter images asked for; at most " + MAX_IMAGES + " per job");
    }
    StringBuilder key = new StringBuilder("filters|" + m.name() + ":" + m.version() + "|" + options);
    plan.forEach((l, fs) -> key.append('|').append(l).append(Arrays.toString(fs)));
    return new Plan() {
      @Override
      public String kind() {
        return "filters";
      }

      @Override
      public String cacheKey() {
        return key.toString();
      }

      @Override
      public Result run(VisualVersion version, Job job) {
        VisualModel model = version.visual();
        NaturalMaxima natural = version.natural();
        List<FilterImage> all = new ArrayList<>();
        int total = 0;
        for (int[] fs : plan.values()) {
          total += ActivationMaximization.steps(fs.length, batch, options);
        }
        int done = 0;
        for (Map.Entry<String, int[]> e : plan.entrySet()) {
          int totalSteps = total;
          all.addAll(ActivationMaximization.filters(model, e.getKey(), e.getValue(), options, batch,
              (d, t) -> job.progress = Math.min(0.99, (double) d / totalSteps), done, total));
          done += ActivationMaximization.steps(e.getValue().length, batch, options);
        }
        String title = String.format(Locale.ROOT, "%s v%d: filters by activation maximization (%d steps)%s",
            model.name(), model.version(), options.steps(), natural == null ? ""
                : "; reached mean activation and its ratio to the largest over " + natural.images()
                    + " validation images");
        byte[] png = Rendering.png(FilterGrid.render(title, all, natural, Math.max(64, Math.min(160, model.width()))));
        String json = ResultJson.filters(model, options, all, natural).encode();
        return new Result(SyncVisualizations.ref(model), png, json);
      }
    };
  }

  private Plan classPlan(VisualModel m, io.convnet.proto.ClassOutput c) {
    AscentOptions options = Requests.ascent(c.getAscent());
    if (c.getLabel().isEmpty()) {
      throw Failures.invalid("name a class label; labels of model '" + m.name() + "': " + String.join(", ", m.labels()));
    }
    m.classIndex(c.getLabel());
    String key = "class|" + m.name() + ":" + m.version() + "|" + options + "|" + c.getLabel();
    return new Plan() {
      @Override
      public String kind() {
        return "class";
      }

      @Override
      public String cacheKey() {
        return key;
      }

      @Override
      public Result run(VisualVersion version, Job job) {
        VisualModel model = version.visual();
        var image = ClassVisualization.visualize(model, c.getLabel(), options,
            (d, t) -> job.progress = Math.min(0.99, (double) d / t));
        String title = String.format(Locale.ROOT, "%s v%d: '%s' (logit %.2f, p %.3f)", model.name(), model.version(),
            image.label(), image.logit(), image.probability());
        int tile = Math.max(150, Math.min(300, 2 * model.width()));
        byte[] png = Rendering.png(Rendering.grid(title, List.of(new Rendering.Row(List.of(), List.of(
            new Rendering.Tile(image.image().toBufferedImage(), List.of())))), tile));
        return new Result(SyncVisualizations.ref(model), png, ResultJson.classImage(model, options, image).encode());
      }
    };
  }

  synchronized String summary() {
    long running = jobs.values().stream().filter(j -> j.state == State.RUNNING).count();
    long queued = jobs.values().stream().filter(j -> j.state == State.QUEUED).count();
    return running + " running, " + queued + " queued, " + cache.size() + " cached";
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
