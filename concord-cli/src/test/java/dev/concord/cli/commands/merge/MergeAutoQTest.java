package dev.concord.cli.commands.merge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.cli.CliRun;
import dev.concord.lab.tokenizer.LabTokenizerFiles;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.RandomCheckpoint;
import dev.concord.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code concord merge --method darex --q auto --base DIR --calibration FILE}, and what it refuses. */
class MergeAutoQTest {
    @TempDir
    static Path tmp;
    static Path base;
    static Path a;
    static Path b;
    static Path prompts;

    @BeforeAll
    static void fixtures() throws IOException {
        // a random model of the tiny adapters' shape, with the lab's character tokenizer
        base = RandomCheckpoint.write(tmp.resolve("base"),
                new RandomCheckpoint.Shape(64, 160, 2, 4, 2, LabVocabulary.SIZE, true), DType.F32, 3);
        LabTokenizerFiles.write(base);
        a = SyntheticAdapters.write(tmp.resolve("a"), SyntheticAdapterSpec.tinyLlama(1));
        b = SyntheticAdapters.write(tmp.resolve("b"), SyntheticAdapterSpec.tinyLlama(2).withRank(4, 8));
        prompts = Files.writeString(tmp.resolve("prompts.txt"), "sort: d b a c\nreverse: hello world\n\nadd: 12+30\n");
    }

    private static void assertBadInput(CliRun r, String... fragments) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertThat(errors).as(r.err()).hasSize(1);
        for (String f : fragments) {
            assertThat(errors.getFirst()).contains(f);
        }
        assertThat(r.out()).doesNotContain("chose q");
    }

    private static CliRun merge(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("merge", "--adapter", a.toString(), "--adapter",
                b + ":0.5", "--density", "0.3", "--quiet", "--threads", "2"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void autoChoosesQOnThePromptsAndMergesWithExactlyThatValue() throws IOException {
        Path out = tmp.resolve("auto");
        CliRun r = merge("--method", "darex", "--q", "auto", "--base", base.toString(), "--calibration",
                prompts.toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Matcher m = Pattern.compile("darex: chose q = ([0-9.]+) on 3 prompts \\(\\d+ tokens\\): mean squared logit change"
                + " \\S+ \\(q = 1: \\S+; q = 0.3, DARE's 1/\\(1-p\\): \\S+\\)").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(r.out()).contains("merged 14 modules of 2 adapters with darex");
        double q = new ObjectMapper().readTree(out.resolve("merge_report.json").toFile()).get("parameters").get("q")
                .asDouble();
        assertThat(q).isBetween(0.3, 1.0).isCloseTo(Double.parseDouble(m.group(1)),
                org.assertj.core.data.Offset.offset(5e-5));
        // the adapter is the one a merge with that q typed in gives, byte for byte
        Path typed = tmp.resolve("typed");
        CliRun t = merge("--method", "darex", "--q", Double.toString(q), "--out", typed.toString());
        assertThat(t.exitCode()).as(t.err()).isZero();
        assertThat(Files.readAllBytes(typed.resolve("adapter_model.safetensors")))
                .isEqualTo(Files.readAllBytes(out.resolve("adapter_model.safetensors")));
    }

    @Test
    void everyMissingOrMisplacedPieceIsABadInput() throws IOException {
        Path o = tmp.resolve("never");
        assertBadInput(merge("--method", "darex", "--q", "auto", "--calibration", prompts.toString(), "--out",
                o.toString()), "--q auto needs --base MODEL_DIR");
        assertBadInput(merge("--method", "darex", "--q", "AUTO", "--base", base.toString(), "--out", o.toString()),
                "--q auto needs --calibration FILE");
        assertBadInput(merge("--method", "darex", "--q", "0.5", "--calibration", prompts.toString(), "--out",
                o.toString()), "--calibration is only read with --q auto");
        assertBadInput(merge("--method", "dare_ties", "--q", "auto", "--base", base.toString(), "--calibration",
                prompts.toString(), "--out", o.toString()), "use it with --method darex or darex_ties, not dare_ties");
        Path jsonl = Files.writeString(tmp.resolve("prompts.jsonl"), "{\"prompt\": \"ok\"}\n{\"prompt\": 3}\n");
        assertBadInput(merge("--method", "darex_ties", "--q", "auto", "--base", base.toString(), "--calibration",
                jsonl.toString(), "--out", o.toString()), jsonl + ":2: expected a string \"prompt\" field");
        assertBadInput(merge("--method", "darex", "--q", "auto", "--base", tmp.resolve("a").toString(),
                "--calibration", prompts.toString(), "--out", o.toString()), "no tokenizer.json");
        Path existing = Files.createDirectories(tmp.resolve("existing"));
        assertBadInput(merge("--method", "darex", "--q", "auto", "--base", base.toString(), "--calibration",
                prompts.toString(), "--out", existing.toString()), "already exists");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).doesNotContain("never");
        }
    }
}
