package io.convnet.cli;

import io.convnet.data.DataException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code convnet train|evaluate|summary|bench}: bad input is one line on stderr and exit code 2; other
 * failures one line and exit code 1 (the stack trace at debug level); no stack traces on the console.
 */
@Command(name = "convnet", mixinStandardHelpOptions = true, version = "convnet 0.1.0",
    description = "Trains and evaluates convolutional networks (TensorFlow Java).",
    subcommands = {TrainCommand.class, EvaluateCommand.class, SummaryCommand.class, BenchCommand.class,
        KerasCommand.class})
public final class ConvnetCli implements Runnable {
  public static final int FAILED = 1;
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: train, evaluate, summary, keras or bench");
  }

  public static void main(String[] args) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "convnet-cli-log4j2.xml");
    }
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new ConvnetCli());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("error: " + e.getMessage());
      if (isBadInput(e)) {
        return BAD_INPUT;
      }
      LoggerFactory.getLogger(ConvnetCli.class).debug("command failed", e);
      return FAILED;
    });
    return cl.execute(args);
  }

  static boolean isBadInput(Throwable e) {
    return e instanceof IllegalArgumentException || e instanceof DataException
        || e instanceof java.io.UncheckedIOException && e.getCause() instanceof java.nio.file.NoSuchFileException;
  }
}
