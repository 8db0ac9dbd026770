package dev.concord.lab.eval;

import dev.concord.model.config.ModelConfig;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.engine.SequenceInput;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.sample.TokenSampler;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.progress.Progress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Scores items on one engine, many per forward step. Two phases:
 *
 * <ol>
 *   <li>Teacher forcing: prompt + answer in one step per item (items packed into steps up to the row budget), the
 *       logits at the last prompt position and at every answer position give the argmax and the log-likelihood of
 *       each reference token (answer tokens, then end-of-sequence).
 *   <li>Greedy decoding, continuously batched: every decoding item contributes one token per step, new items are
 *       prefilled in the same steps as room frees up. With speculative verification, an item starts decoding only
 *       where its greedy path leaves the reference: up to that point the greedy tokens are the teacher-forced
 *       argmaxes, because the engine computes a position's logits bitwise alike whether the position comes in a
 *       prefill or one token at a time (its batch invariance) — the reference answer is a draft that one step
 *       verifies.
 * </ol>
 *
 * Stopping follows {@link dev.concord.model.sample.Generator}: an end-of-sequence id stops without being part of
 * the text, and at most {@code budget} tokens are generated, the budget cut to what the context leaves.
 */
final class BatchRunner {
    /** One item to score and the adapters its sequence runs with. */
    record Job(EncodedItem item, AdapterMix mix) {}

    /** Teacher-forced results: the argmax at each reference position, how many are right, the summed NLL. */
    private record Forced(int[] predicted, int correct, double nll) {}

    private final InferenceEngine engine;
    private final Tokenizer tokenizer;
    private final Set<Integer> stops;
    private final int eos;
    private final EvalOptions options;
    private final int vocab;
    private final int context;
    private final int rowBudget;
    private final int logitRowBudget;

    BatchRunner(InferenceEngine engine, Tokenizer tokenizer, Set<Integer> stops, int eos, EvalOptions options) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.stops = Set.copyOf(stops);
        this.eos = eos;
        this.options = options;
        ModelConfig c = engine.config();
        this.vocab = c.vocabSize();
        this.context = c.maxPositionEmbeddings();
        // keep one step's KV cache within ~256 MB and its logits within 64 MB whatever the model
        long kvBytesPerToken = 2L * Float.BYTES * c.numLayers() * c.numKvHeads() * c.headDim();
        long kvRows = Math.max(64, (1L << 28) / Math.max(1, kvBytesPerToken));
        this.rowBudget = (int) Math.min(options.rowBudget(), kvRows);
        this.logitRowBudget = (int) Math.max(1, (1L << 24) / vocab);
    }

    /** Outcomes in job order; {@code task} advances once per finished item. */
    List<ItemOutcome> run(List<Job> jobs, Progress.Task task) {
        Forced[] forced = teacherForce(jobs);
        ItemOutcome[] out = new ItemOutcome[jobs.size()];
        List<Decoding> decodings = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Decoding d = new Decoding(i, jobs.get(i), budget(jobs.get(i).item()));
            if (options.speculative()) {
                followReference(d, forced[i]);
            }
            if (d.finished) {
                out[i] = outcome(d, forced[i]);
                task.step();
            } else {
                decodings.add(d);
            }
        }
        decode(decodings, d -> {
            out[d.index] = outcome(d, forced[d.index]);
            task.step();
        });
        return List.of(out);
    }

    /** Teacher forcing only (no generation): token accuracy and log-likelihood; exact match is left false. */
    List<ItemOutcome> teacherForcedOnly(List<Job> jobs, Progress.Task task) {
        Forced[] forced = teacherForce(jobs);
        List<ItemOutcome> out = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            EncodedItem it = jobs.get(i).item();
            out.add(new ItemOutcome(it.skill(), it.index(), it.prompt(), it.answer(), "", false, false,
                    forced[i].correct(), it.answerIds().length + 1, forced[i].nll()));
            task.step();
        }
        return out;
    }

    private int budget(EncodedItem item) {
        return Math.min(item.answerIds().length + options.margin(), context - item.promptIds().length + 1);
    }

    private Forced[] teacherForce(List<Job> jobs) {
        Forced[] forced = new Forced[jobs.size()];
        int next = 0;
        while (next < jobs.size()) {
            int rows = 0;
            int end = next;
            while (end < jobs.size()) {
                EncodedItem it = jobs.get(end).item();
                int cost = it.promptIds().length + it.answerIds().length;
                if (end > next && (rows + cost > rowBudget || rows + cost > logitRowBudget)) {
                    break;
                }
                rows += cost;
                end++;
            }
            List<Sequence> sequences = new ArrayList<>();
            try {
                List<SequenceInput> inputs = new ArrayList<>();
                for (int i = next; i < end; i++) {
                    EncodedItem it = jobs.get(i).item();
                    Sequence s = engine.newSequence(jobs.get(i).mix());
                    sequences.add(s);
                    inputs.add(SequenceInput.all(s, concat(it.promptIds(), it.answerIds())));
                }
                List<float[]> logits = engine.forward(inputs);
                for (int i = next; i < end; i++) {
                    forced[i] = score(jobs.get(i).item(), logits.get(i - next));
                }
            } finally {
                sequences.forEach(Sequence::close);
            }
            next = end;
        }
        return forced;
    }

    private Forced score(EncodedItem item, float[] logits) {
        int p = item.promptIds().length;
        int a = item.answerIds().length;
        int[] predicted = new int[a + 1];
        int correct = 0;
        double nll = 0;
        for (int j = 0; j <= a; j++) {
            int row = (p - 1 + j) * vocab;
            int target = j < a ? item.answerIds()[j] : eos;
            predicted[j] = TokenSampler.argmax(logits, row, vocab);
            if (predicted[j] == target) {
                correct++;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[row + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[row + v] - max);
            }
            nll += max + Math.log(sum) - logits[row + target];
        }
        return new Forced(predicted, correct, nll);
    }

    /**
     * Takes the greedy tokens the teacher-forced step already determined: the argmax at each reference position
     * is the greedy token there as long as every earlier greedy token was the reference's.
     */
    private void followReference(Decoding d, Forced f) {
        int[] answer = d.job.item().answerIds();
        for (int j = 0; j <= answer.length; j++) {
            int token = f.predicted()[j];
            accept(d, token);
            if (d.finished || token != (j < answer.length ? answer[j] : eos)) {
                return;
            }
        }
    }

    /** Takes one greedy token; marks the decoding finished on a stop id, the budget, or a hopeless text. */
    private void accept(Decoding d, int token) {
        if (stops.contains(token)) {
            d.stopped = true;
            d.finished = true;
            return;
        }
        d.add(token);
        if (d.count == d.budget || (options.earlyStop() && !couldStillMatch(d))) {
            d.finished = true;
        }
    }

    /**
     * Whether more tokens could still make the text the answer. Decoded text only grows as tokens are appended,
     * except that an incomplete UTF-8 sequence at its end shows as U+FFFD until the rest arrives.
     */
    private boolean couldStillMatch(Decoding d) {
        String text = tokenizer.decode(d.tokens(), false);
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return d.job.item().answer().startsWith(text.substring(0, end));
    }

    private void decode(List<Decoding> decodings, Consumer<Decoding> finished) {
        ArrayDeque<Decoding> waiting = new ArrayDeque<>(decodings);
        List<Decoding> active = new ArrayList<>();
        try {
            while (!waiting.isEmpty() || !active.isEmpty()) {
                List<SequenceInput> inputs = new ArrayList<>();
                List<Decoding> owners = new ArrayList<>();
                int rows = 0;
                for (Decoding d : active) {
                    inputs.add(SequenceInput.last(d.sequence, d.lastToken()));
                    owners.add(d);
                    rows++;
                }
                while (!waiting.isEmpty() && owners.size() < options.maxActive()) {
                    Decoding d = waiting.peek();
                    int[] first = concat(d.job.item().promptIds(), d.tokens());
                    if (!inputs.isEmpty() && rows + first.length > rowBudget) {
                        break;
                    }
                    waiting.poll();
                    d.sequence = engine.newSequence(d.job.mix());
                    active.add(d);
                    inputs.add(SequenceInput.last(d.sequence, first));
                    owners.add(d);
                    rows += first.length;
                }
                List<float[]> logits = engine.forward(inputs);
                active.clear();
                for (int i = 0; i < owners.size(); i++) {
                    Decoding d = owners.get(i);
                    accept(d, TokenSampler.argmax(logits.get(i), 0, vocab));
                    if (d.finished) {
                        d.sequence.close();
                        finished.accept(d);
                    } else {
                        active.add(d);
                    }
                }
            }
        } finally {
            for (Decoding d : active) {
                d.sequence.close();
            }
        }
    }

    private ItemOutcome outcome(Decoding d, Forced f) {
        EncodedItem it = d.job.item();
        String text = tokenizer.decode(d.tokens(), false);
        return new ItemOutcome(it.skill(), it.index(), it.prompt(), it.answer(), text, d.stopped,
                d.stopped && text.equals(it.answer()), f.correct(), it.answerIds().length + 1, f.nll());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** One item's greedy generation in progress. */
    private static final class Decoding {
        final int index;
        final Job job;
        final int budget;
        int[] generated = new int[8];
        int count;
        boolean stopped;
        boolean finished;
        Sequence sequence;

        Decoding(int index, Job job, int budget) {
            this.index = index;
            this.job = job;
            this.budget = budget;
        }

        void add(int token) {
            if (count == generated.length) {
                generated = Arrays.copyOf(generated, 2 * count);
            }
            generated[count++] = token;
        }

        int[] tokens() {
            return Arrays.copyOf(generated, count);
        }

        int lastToken() {
            return generated[count - 1];
        }
    }
}
