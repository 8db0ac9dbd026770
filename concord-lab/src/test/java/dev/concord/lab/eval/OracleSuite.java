package dev.concord.lab.eval;

import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.skill.Skill;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.lab.suite.SuiteSizes;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.sample.GenerationResult;
import dev.concord.model.sample.Generator;
import dev.concord.model.sample.SamplingParams;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A suite that the random fixture model partly answers right. Lab prompts are decoded greedily by the engine's
 * one-sequence {@link Generator} with no stop token; the printable token that most often appears early in those
 * continuations becomes the model's end-of-sequence id (config.json is rewritten); then an item's answer is the
 * continuation before that token for two thirds of the prompts where it appears early (a third of those get a
 * wrong character appended) and the lab's true answer otherwise.
 */
final class OracleSuite {
    private OracleSuite() {}

    record Built(Suite suite, int eos) {}

    static Built build(Path modelDir, List<String> skillNames, int perSkill) throws IOException {
        List<Skill> skills = skillNames.stream().map(LabSkills::byName).toList();
        Suite prompts = new SuiteGenerator(SuiteGenerator.DEFAULT_SEED, new SuiteSizes(perSkill, 4, 3), skills).generate();
        Tokenizer tokenizer = Tokenizer.load(modelDir.resolve("tokenizer.json"));
        Map<String, List<int[]>> continuations = new LinkedHashMap<>();
        int[] early = new int[128];
        try (ModelWeights w = ModelWeights.load(modelDir); InferenceEngine engine = new InferenceEngine(w)) {
            Generator g = new Generator(engine, tokenizer, Set.of());
            for (String skill : skillNames) {
                List<int[]> list = new ArrayList<>();
                for (SuiteItem it : prompts.items(skill, Split.TEST)) {
                    GenerationResult r = g.generate(tokenizer.encode(it.prompt(), true), AdapterMix.NONE,
                            SamplingParams.greedy(), 10, List.of(), s -> { });
                    int[] t = r.tokens();
                    list.add(t);
                    boolean[] seen = new boolean[128];
                    for (int k = 1; k <= 6 && k < t.length; k++) {
                        if (!seen[t[k]] && !contains(t, t[k], k)) {
                            early[t[k]]++;
                        }
                        seen[t[k]] = true;
                    }
                }
                continuations.put(skill, list);
            }
        }
        int eos = 32;
        for (int id = 32; id < 127; id++) {
            if (early[id] > early[eos]) {
                eos = id;
            }
        }
        LabFixtures.setEos(modelDir, eos);
        Map<String, Map<Split, List<SuiteItem>>> all = new LinkedHashMap<>();
        for (String skill : skillNames) {
            List<SuiteItem> test = new ArrayList<>();
            List<SuiteItem> original = prompts.items(skill, Split.TEST);
            int usable = 0;
            for (int i = 0; i < original.size(); i++) {
                int[] t = continuations.get(skill).get(i);
                int k = firstIndex(t, eos);
                String answer = original.get(i).answer();
                if (k >= 1 && k <= 6) {
                    String before = tokenizer.decode(java.util.Arrays.copyOf(t, k), false);
                    answer = usable % 3 == 2 ? before + (eos == '#' ? "%" : "#") : before;
                    usable++;
                }
                test.add(new SuiteItem(original.get(i).prompt(), answer));
            }
            Map<Split, List<SuiteItem>> splits = new EnumMap<>(Split.class);
            splits.put(Split.TEST, test);
            splits.put(Split.VALIDATION, prompts.items(skill, Split.VALIDATION));
            splits.put(Split.OOD, prompts.items(skill, Split.OOD));
            all.put(skill, splits);
        }
        return new Built(new Suite("oracle suite", OptionalLong.empty(), all), eos);
    }

    private static boolean contains(int[] t, int id, int before) {
        for (int i = 0; i < before; i++) {
            if (t[i] == id) {
                return true;
            }
        }
        return false;
    }

    private static int firstIndex(int[] t, int id) {
        for (int i = 0; i < t.length; i++) {
            if (t[i] == id) {
                return i;
            }
        }
        return -1;
    }
}
