package dev.concord.tensor.checkpoint;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.safetensors.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a list of tensors is split into checkpoint shards, decided the way Hugging Face's
 * {@code split_torch_state_dict_into_shards} decides it, so that Concord and transformers shard the same
 * tensors into the same files:
 *
 * <ul>
 *   <li>tensors are taken in the given order; the limit counts tensor bytes only (headers are not counted);
 *   <li>a tensor that would push the current shard over the limit closes it and starts the next one;
 *   <li>a tensor larger than the limit by itself gets a shard of its own, numbered where it occurs, while the
 *       shard being filled stays open and takes the tensors that follow.
 * </ul>
 *
 * One shard is written as {@code model.safetensors} with no index; several as
 * {@code model-00001-of-0000K.safetensors} plus {@code model.safetensors.index.json}.
 */
public record ShardPlan(List<List<TensorSpec>> shards, long maxShardBytes) {
    public ShardPlan {
        shards = shards.stream().map(List::copyOf).toList();
    }

    public static ShardPlan of(List<TensorSpec> specs, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maximum shard size must be positive, got " + maxShardBytes);
        }
        Map<String, Boolean> seen = new HashMap<>();
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long currentBytes = 0;
        for (TensorSpec s : specs) {
            if (seen.put(s.name(), Boolean.TRUE) != null) {
                throw new InvalidInputException("cannot write tensor '" + s.name() + "' twice into one checkpoint");
            }
            long size = s.byteSize();
            if (size > maxShardBytes) {
                shards.add(List.of(s));
                continue;
            }
            if (currentBytes + size > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(s);
            currentBytes += size;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            // an empty checkpoint is still one (empty) model.safetensors
            shards.add(current);
        }
        return new ShardPlan(shards, maxShardBytes);
    }

    public int shardCount() {
        return shards.size();
    }

    public boolean sharded() {
        return shards.size() > 1;
    }

    /** {@code model.safetensors}, or {@code model-0000i-of-0000K.safetensors} with i counted from 1. */
    public String fileName(int shard) {
        if (!sharded()) {
            return CheckpointDirectory.SINGLE_FILE;
        }
        return String.format("model-%05d-of-%05d.safetensors", shard + 1, shards.size());
    }

    /** Sum of all tensor bytes: the index's {@code metadata.total_size}. */
    public long totalBytes() {
        long total = 0;
        for (List<TensorSpec> shard : shards) {
            for (TensorSpec s : shard) {
                total = Math.addExact(total, s.byteSize());
            }
        }
        return total;
    }

    /** Sum of all element counts: the index's {@code metadata.total_parameters}, as recent transformers write. */
    public long totalParameters() {
        long total = 0;
        for (List<TensorSpec> shard : shards) {
            for (TensorSpec s : shard) {
                total = Math.addExact(total, s.numel());
            }
        }
        return total;
    }

    /** The index describing this plan; only written when the plan has several shards. */
    public WeightIndex index() {
        Map<String, String> weightMap = new TreeMap<>(PythonStyleJson.CODE_POINT_ORDER);
        for (int i = 0; i < shards.size(); i++) {
            for (TensorSpec s : shards.get(i)) {
                weightMap.put(s.name(), fileName(i));
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("total_parameters", totalParameters());
        metadata.put("total_size", totalBytes());
        return new WeightIndex(weightMap, metadata);
    }
}
