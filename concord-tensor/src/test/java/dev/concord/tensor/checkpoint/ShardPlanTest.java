package dev.concord.tensor.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardPlanTest {
    /** A U8 tensor of {@code bytes} bytes: sizes are what the plan is about. */
    static TensorSpec t(String name, long bytes) {
        return new TensorSpec(name, DType.U8, new long[] {bytes});
    }

    static List<List<String>> names(ShardPlan plan) {
        return plan.shards().stream().map(s -> s.stream().map(TensorSpec::name).toList()).toList();
    }

    @Test
    void tensorsFillShardsInOrderUpToTheLimit() {
        ShardPlan plan = ShardPlan.of(List.of(t("a", 4), t("b", 6), t("c", 3), t("d", 7), t("e", 3)), 10);
        // a+b = 10 fits exactly; c starts a new shard; c+d = 10; e starts a third
        assertThat(names(plan)).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
        assertThat(plan.fileName(0)).isEqualTo("model-00001-of-00003.safetensors");
        assertThat(plan.fileName(2)).isEqualTo("model-00003-of-00003.safetensors");
        assertThat(plan.totalBytes()).isEqualTo(23);
        assertThat(plan.totalParameters()).isEqualTo(23);
    }

    /** As in huggingface_hub: an oversized tensor gets its own shard, numbered where it occurs. */
    @Test
    void anOversizedTensorGetsItsOwnShardWhileTheCurrentOneStaysOpen() {
        ShardPlan plan = ShardPlan.of(List.of(t("a", 1), t("big", 50), t("b", 2), t("c", 9)), 10);
        assertThat(names(plan)).containsExactly(List.of("big"), List.of("a", "b"), List.of("c"));
    }

    @Test
    void everythingInOneShardIsASingleModelFileWithoutNumbering() {
        ShardPlan plan = ShardPlan.of(List.of(t("a", 1), t("b", 2)), ShardedCheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
        assertThat(plan.sharded()).isFalse();
        assertThat(plan.fileName(0)).isEqualTo("model.safetensors");
        assertThat(ShardPlan.of(List.of(), 10).shards()).containsExactly(List.of());
    }

    @Test
    void emptyTensorsJoinTheCurrentShard() {
        ShardPlan plan = ShardPlan.of(List.of(t("a", 10), t("e", 0), t("b", 1), t("f", 0)), 10);
        assertThat(names(plan)).containsExactly(List.of("a", "e"), List.of("b", "f"));
    }

    @Test
    void theIndexMapsEveryTensorInCodePointOrderAndCountsBytesAndParameters() {
        ShardPlan plan = ShardPlan.of(List.of(new TensorSpec("z", DType.F32, new long[] {3}), t("\uD83D\uDE00", 2),
                t("\uFF21", 9)), 12);
        WeightIndex idx = plan.index();
        assertThat(idx.weightMap()).containsExactly(
                java.util.Map.entry("z", "model-00001-of-00002.safetensors"),
                java.util.Map.entry("\uFF21", "model-00002-of-00002.safetensors"),
                java.util.Map.entry("\uD83D\uDE00", "model-00002-of-00002.safetensors"));
        assertThat(idx.metadata()).containsEntry("total_size", 23L).containsEntry("total_parameters", 14L);
    }

    @Test
    void duplicateNamesAndNonPositiveLimitsAreRefused() {
        assertThatThrownBy(() -> ShardPlan.of(List.of(t("a", 1), t("b", 1), t("a", 1)), 1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'a' twice");
        assertThatThrownBy(() -> ShardPlan.of(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
