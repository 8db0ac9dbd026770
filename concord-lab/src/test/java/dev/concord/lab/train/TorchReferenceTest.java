package dev.concord.lab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.TrainingData;
import dev.concord.model.weights.Projection;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java trainer against the recipe's reference, the torch prototype in scripts/lab: from the same initial
 * weights and batches, four full-training steps and four LoRA steps (with the L2 penalty) give the same losses,
 * gradient norms (so the same clipping) and learning rates, and end at the same weights up to float rounding
 * amplified by AdamW's first steps. Skipped where python3 with torch is not installed.
 */
class TorchReferenceTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPTS = Path.of("..", "scripts", "lab").toAbsolutePath().normalize();
    private static final LabModelShape SHAPE = new LabModelShape(32, 2, 4, 2, 48);
    private static final int ROWS = 4;
    private static final int ROW_TOKENS = 64;
    private static final double LR = 1e-2;
    private static final int WARMUP = 2;
    private static final double L2 = 0.5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private static boolean torchAvailable() throws InterruptedException {
        if (!Files.isExecutable(PYTHON) || !Files.isRegularFile(SCRIPTS.resolve("lab_model.py"))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, numpy").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void fullAndLoraStepsMatchTheTorchPrototype() throws Exception {
        assumeThat(torchAvailable()).as("python3 with torch and scripts/lab").isTrue();
        LabWeights w = LabWeights.initialized(SHAPE, 3);
        BaseModelWriter.write(w, work.resolve("init"), false);
        TrainingData data = new TrainingData(1234, new Suite("none", OptionalLong.empty(), Map.of()));
        BatchPacker packer = new BatchPacker(new PretrainingItems(data.pretraining(0)), ROWS, ROW_TOKENS);
        List<PackedBatch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batches.add(packer.next());
        }
        writeInputs(batches);
        long tokens = (long) (batches.size() * ROWS * ROW_TOKENS * TrainingSettings.ROW_FILL) + 1;
        List<StepReport> full = new ArrayList<>();
        try (Trainer t = Trainer.full(w, new TrainingSettings(tokens, LR, ROWS, ROW_TOKENS, WARMUP, 0.1, 0.1, 1.0,
                0.9, 0.95, 0), 1)) {
            assertThat(t.settings().steps()).isEqualTo(batches.size());
            for (PackedBatch b : batches) {
                full.add(t.step(b));
            }
        }
        BaseModelWriter.write(w, work.resolve("after"), false);
        LoraWeights lora = LoraWeights.initialized(SHAPE, new LoraSettings(4, 8, EnumSet.allOf(Projection.class)), 5);
        AdapterExport.write(lora, work.resolve("lora-init"), "init", false);
        List<StepReport> adapter = new ArrayList<>();
        try (Trainer t = Trainer.lora(w, lora, new TrainingSettings(tokens, LR, ROWS, ROW_TOKENS, WARMUP, 0, 0.1, 1.0,
                0.9, 0.95, L2), 1)) {
            for (PackedBatch b : batches) {
                adapter.add(t.step(b));
            }
        }
        AdapterExport.write(lora, work.resolve("lora-after"), "after", false);

        JsonNode torch = runPrototype();
        compare(full, torch.get("full"));
        compare(adapter, torch.get("lora"));
        assertThat(full.getFirst().gradientNorm()).as("clipping is exercised").isGreaterThan(1.0);
        assertThat(torch.get("full_weight_difference").asDouble()).isLessThan(2e-3);
        assertThat(torch.get("lora_factor_difference").asDouble()).isLessThan(2e-3);
    }

    private static void compare(List<StepReport> java, JsonNode torch) {
        assertThat(torch).hasSize(java.size());
        for (int i = 0; i < java.size(); i++) {
            StepReport r = java.get(i);
            JsonNode t = torch.get(i);
            assertThat(r.loss()).as("loss of step %d", i + 1)
                    .isCloseTo(t.get("loss").asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-4));
            assertThat(r.gradientNorm()).as("gradient norm of step %d", i + 1)
                    .isCloseTo(t.get("norm").asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-3));
            assertThat(r.learningRate()).as("learning rate of step %d", i + 1)
                    .isCloseTo(t.get("lr").asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-9));
        }
    }

    private void writeInputs(List<PackedBatch> batches) throws IOException {
        ArrayNode all = JSON.createArrayNode();
        for (PackedBatch b : batches) {
            ArrayNode rows = all.addArray();
            for (int r = 0; r < b.rows(); r++) {
                ObjectNode row = rows.addObject();
                ArrayNode tokens = row.putArray("tokens");
                ArrayNode positions = row.putArray("positions");
                ArrayNode targets = row.putArray("targets");
                for (int t = b.rowStart[r]; t < b.rowStart[r + 1]; t++) {
                    tokens.add(b.tokens[t]);
                    positions.add(b.positions[t]);
                    targets.add(b.targets[t]);
                }
            }
        }
        Files.writeString(work.resolve("batches.json"), JSON.writeValueAsString(all));
        ObjectNode s = JSON.createObjectNode();
        s.put("hidden", SHAPE.hidden());
        s.put("layers", SHAPE.layers());
        s.put("heads", SHAPE.heads());
        s.put("kv_heads", SHAPE.kvHeads());
        s.put("ffn", SHAPE.intermediate());
        s.put("row_tokens", ROW_TOKENS);
        s.put("lr", LR);
        s.put("warmup", WARMUP);
        s.put("weight_decay", 0.1);
        s.put("rank", 4);
        s.put("alpha", 8);
        s.put("l2", L2);
        Files.writeString(work.resolve("settings.json"), JSON.writeValueAsString(s));
    }

    private JsonNode runPrototype() throws Exception {
        Path script = work.resolve("torch_reference.py");
        try (InputStream in = TorchReferenceTest.class.getResourceAsStream("torch_reference.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), SCRIPTS.toString(), work.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
    }
}
