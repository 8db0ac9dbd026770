package dev.concord.cli.commands;

import dev.concord.cli.Formats;
import dev.concord.cli.Table;
import dev.concord.model.config.ModelConfig;
import dev.concord.model.config.ModelConfigReader;
import dev.concord.tensor.checkpoint.CheckpointDirectory;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorEntry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@code concord inspect} reports for a Hugging Face model directory. */
final class ModelInspection {
    private ModelInspection() {}

    static Map<String, Object> describe(Path dir) {
        ModelConfig c = ModelConfigReader.read(dir);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("kind", "model");
        j.put("path", dir.toString());
        j.put("architecture", c.architecture().className());
        j.put("model_type", c.modelType());
        j.put("hidden_size", c.hiddenSize());
        j.put("intermediate_size", c.intermediateSize());
        j.put("num_hidden_layers", c.numLayers());
        j.put("num_attention_heads", c.numHeads());
        j.put("num_key_value_heads", c.numKvHeads());
        j.put("head_dim", c.headDim());
        j.put("vocab_size", c.vocabSize());
        j.put("max_position_embeddings", c.maxPositionEmbeddings());
        j.put("rope_theta", c.ropeTheta());
        j.put("rope_scaling", c.ropeScaling().type().name().toLowerCase(java.util.Locale.ROOT));
        j.put("sliding_window", c.slidingWindow().isPresent() ? c.slidingWindow().getAsInt() : null);
        j.put("config_dtype", c.torchDtype());
        try (CheckpointDirectory ckpt = CheckpointDirectory.open(dir)) {
            long params = 0;
            long bytes = 0;
            Map<String, Long> byDtype = new TreeMap<>();
            for (String name : ckpt.names()) {
                TensorEntry e = ckpt.entry(name);
                params += e.numel();
                bytes += e.byteSize();
                byDtype.merge(e.dtype().name(), e.numel(), Long::sum);
            }
            boolean tied = !ckpt.contains("lm_head.weight");
            j.put("tied_embeddings", tied);
            j.put("parameters", params);
            j.put("weight_bytes", bytes);
            j.put("dtypes", byDtype);
            j.put("tensors", ckpt.names().size());
            List<Map<String, Object>> shards = new ArrayList<>();
            for (SafetensorsFile f : ckpt.shards()) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("file", f.path().getFileName().toString());
                s.put("tensors", f.names().size());
                s.put("bytes", sizeOf(f.path()));
                shards.add(s);
            }
            j.put("shards", shards);
        }
        return j;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> j, PrintWriter out) {
        out.println("model  " + j.get("path"));
        Table t = new Table("property", "value").leftAligned();
        t.row("architecture", j.get("architecture"));
        t.row("layers", j.get("num_hidden_layers"));
        t.row("hidden / intermediate", j.get("hidden_size") + " / " + j.get("intermediate_size"));
        t.row("heads / kv heads / head dim", j.get("num_attention_heads") + " / " + j.get("num_key_value_heads") + " / " + j.get("head_dim"));
        t.row("vocab", j.get("vocab_size"));
        t.row("context", j.get("max_position_embeddings"));
        t.row("rope", "theta " + j.get("rope_theta") + ", scaling " + j.get("rope_scaling"));
        if (j.get("sliding_window") != null) {
            t.row("sliding window", j.get("sliding_window"));
        }
        t.row("tied embeddings", j.get("tied_embeddings"));
        t.row("parameters", Formats.count((Long) j.get("parameters")));
        StringBuilder dt = new StringBuilder();
        ((Map<String, Long>) j.get("dtypes")).forEach((k, v) -> dt.append(dt.isEmpty() ? "" : ", ").append(k).append(' ').append(Formats.count(v)));
        t.row("dtypes", dt);
        t.row("weights", Formats.bytes((Long) j.get("weight_bytes")) + " in " + ((List<?>) j.get("shards")).size() + " file(s)");
        t.print(out);
        List<Map<String, Object>> shards = (List<Map<String, Object>>) j.get("shards");
        if (shards.size() > 1) {
            Table s = new Table("shard", "tensors", "size");
            for (Map<String, Object> sh : shards) {
                s.row(sh.get("file"), sh.get("tensors"), Formats.bytes((Long) sh.get("bytes")));
            }
            out.println();
            s.print(out);
        }
    }

}
