package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = IntentCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpShowsDefaultsUnitsAndAnExample() {
    Run r = run("serve", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--max-queue-delay=MICROS").contains("(default: 1000)").contains("--max-body=BYTES")
        .contains("(default: 1048576, 1 MiB)").contains("intent serve --repository").contains("--upgrade-cascade");
    assertThat(r.out()).as("--data defaults to the shipped copy").contains("CLINC150 Full copy").doesNotContain("shared/");
  }

  @Test
  void aBadOptionIsOneLineAndExit2() {
    Run r = run("serve", "--repository", tmp.toString(), "--max-batch", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("intent: --max-batch must be in 1..1024, was 0");
    assertThat(run("serve", "--repository", tmp.toString(), "--timeout", "0").err()).contains("--timeout (ms) must be in 1..600000, was 0");
    Run io = run("serve", "--repository", tmp.toString(), "--io-threads", "0");
    assertThat(io.code()).isEqualTo(2);
    assertThat(io.err().strip()).isEqualTo("intent: --io-threads must be in 1..64, was 0");
    Run cascade = run("serve", "--repository", tmp.resolve("repo").toString(), "--upgrade", "false", "--upgrade-cascade");
    assertThat(cascade.code()).isEqualTo(2);
    assertThat(cascade.err().strip()).isEqualTo("intent: --upgrade-cascade says what the upgrade publishes, and --upgrade false "
        + "turns it off; drop one of them");
    assertThat(tmp.resolve("repo")).as("refused before anything is written").doesNotExist();
  }

  @Test
  void aMissingDataFileIsAClearError() {
    Run r = run("serve", "--repository", tmp.resolve("repo").toString(), "--data", tmp.resolve("missing.json").toString(), "--port", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--data " + tmp.resolve("missing.json") + ": no such file");
  }

  @Test
  void helpShowsTheWebOptionsWithExamples() {
    Run r = run("serve", "--help");
    assertThat(r.out()).contains("--cors-origin=URL").contains("--reports=DIR")
        .contains("intent serve --cors-origin https://shop.example.com").contains("intent serve --reports bench-reports");
  }

  @Test
  void badWebOptionsAreOneLineAndExit2() {
    Run cors = run("serve", "--repository", tmp.toString(), "--cors-origin", "https://shop.example.com/chat");
    assertThat(cors.code()).isEqualTo(2);
    assertThat(cors.err().strip()).startsWith("intent: --cors-origin must be * or scheme://host[:port]")
        .endsWith("was 'https://shop.example.com/chat'");
    Run reports = run("serve", "--repository", tmp.toString(), "--reports", tmp.resolve("none").toString());
    assertThat(reports.code()).isEqualTo(2);
    assertThat(reports.err().strip()).isEqualTo("intent: --reports " + tmp.resolve("none") + ": not a directory (give the "
        + "folder that holds the outputs of intent bench report --out)");
  }

  @Test
  void aGivenRepositoryThatDoesNotExistIsRefusedNotFilledWithTheDefaultModel() {
    Path typo = tmp.resolve("modles");
    Run r = run("serve", "--repository", typo.toString(), "--port", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("intent: --repository " + typo + ": no such directory (check the path; to have "
        + "the default model built in a new repository, create the directory first)");
    assertThat(typo).as("nothing created, nothing built").doesNotExist();
  }
}
