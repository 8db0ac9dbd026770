package dev.concord.lab.skill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Each skill's inputs have the documented shape and its answers are right, checked by independent means. */
class SkillFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLabHasExactlyTheEightSkillsInCanonicalOrder() {
        assertThat(LabSkills.names()).containsExactly("json", "rot3", "unrot3", "sort", "dedup", "reverse", "add",
                "lookup");
        for (Skill s : LabSkills.all()) {
            assertThat(LabSkills.byName(s.name())).isSameAs(s);
            assertThat(s.tag()).isEqualTo("<" + s.name() + ">");
        }
    }

    @Property(tries = 40)
    void promptsAreTagInputNewlineAndPrintableAscii(@ForAll long seed) {
        for (Skill s : LabSkills.all()) {
            SeededRandom r = SeededRandom.of(seed, s.name());
            for (InputLength length : InputLength.values()) {
                String input = s.input(r, length);
                assertThat(s.prompt(input)).isEqualTo(s.tag() + input + "\n");
                assertThat(input + s.answer(input)).matches("[ -~]+");
                assertThat(input).doesNotContain("\n");
            }
        }
    }

    @Property(tries = 60)
    void jsonAnswerIsTheCompactObjectOfThePairs(@ForAll long seed) throws Exception {
        Skill s = LabSkills.byName("json");
        for (InputLength length : InputLength.values()) {
            String input = s.input(SeededRandom.of(seed), length);
            assertThat(input).matches("[a-z]{1,2}=([0-9]{1,2}|[a-z]{1,4})(,[a-z]{1,2}=([0-9]{1,2}|[a-z]{1,4}))*");
            int pairs = input.split(",").length;
            assertThat(pairs).isBetween(length == InputLength.LONG ? 4 : 1, length == InputLength.LONG ? 5 : 3);
            String answer = s.answer(input);
            JsonNode parsed = JSON.readTree(answer);
            Map<String, Object> expected = new LinkedHashMap<>();
            for (String pair : input.split(",")) {
                String[] kv = pair.split("=");
                expected.put(kv[0], kv[1].matches("[0-9]+") ? (Object) Integer.parseInt(kv[1]) : kv[1]);
            }
            assertThat(JSON.convertValue(parsed, LinkedHashMap.class)).containsExactlyEntriesOf(expected);
            assertThat(answer).doesNotContain(" ").isEqualTo(JSON.writeValueAsString(parsed));
        }
    }

    @Property(tries = 60)
    void rot3AndUnrot3AreInverseShiftsByThree(@ForAll long seed) {
        Skill rot = LabSkills.byName("rot3");
        Skill unrot = LabSkills.byName("unrot3");
        for (InputLength length : InputLength.values()) {
            String input = rot.input(SeededRandom.of(seed), length);
            assertThat(input).matches("[a-z]+( [a-z]+)*");
            String enc = rot.answer(input);
            assertThat(unrot.answer(enc)).isEqualTo(input);
            for (int i = 0; i < input.length(); i++) {
                char c = input.charAt(i);
                char expected = c == ' ' ? ' ' : "abcdefghijklmnopqrstuvwxyz".charAt((c - 'a' + 3) % 26);
                assertThat(enc.charAt(i)).isEqualTo(expected);
            }
        }
        assertThat(rot.answer("xyz abc")).isEqualTo("abc def");
    }

    @Property(tries = 60)
    void sortDedupReverseAreWhatTheyClaim(@ForAll long seed) {
        for (InputLength length : InputLength.values()) {
            String in = LabSkills.byName("sort").input(SeededRandom.of(seed), length);
            String sorted = LabSkills.byName("sort").answer(in);
            assertThat(sorted).isNotEqualTo(in);
            assertThat(sorted.chars().sorted().toArray()).isEqualTo(sorted.chars().toArray());
            assertThat(sorted.chars().sorted().toArray()).isEqualTo(in.chars().sorted().toArray());

            String dIn = LabSkills.byName("dedup").input(SeededRandom.of(seed), length);
            String d = LabSkills.byName("dedup").answer(dIn);
            assertThat(d.length()).isLessThan(dIn.length());
            assertThat(d.chars().distinct().count()).isEqualTo(d.length());
            assertThat(d.chars().boxed().toList()).isEqualTo(dIn.chars().distinct().boxed().toList());

            String rIn = LabSkills.byName("reverse").input(SeededRandom.of(seed), length);
            String r = LabSkills.byName("reverse").answer(rIn);
            assertThat(r).isNotEqualTo(rIn);
            for (int i = 0; i < rIn.length(); i++) {
                assertThat(r.charAt(i)).isEqualTo(rIn.charAt(rIn.length() - 1 - i));
            }
            assertThat(List.of(in, dIn, rIn)).allMatch(x -> x.matches("[a-z]+")
                    && x.length() >= (length == InputLength.LONG ? 11 : 3)
                    && x.length() <= (length == InputLength.LONG ? 14 : 8));
        }
    }

    @Property(tries = 80)
    void addSumsWithAtLeastOneCarry(@ForAll long seed) {
        Skill s = LabSkills.byName("add");
        for (InputLength length : InputLength.values()) {
            String input = s.input(SeededRandom.of(seed), length);
            String digits = length == InputLength.LONG ? "([1-9][0-9]{2,3})" : "([0-9]|[1-9][0-9])";
            assertThat(input).matches(digits + "\\+" + digits);
            String[] ab = input.split("\\+");
            BigInteger a = new BigInteger(ab[0]);
            BigInteger b = new BigInteger(ab[1]);
            assertThat(s.answer(input)).isEqualTo(a.add(b).toString());
            assertThat(hasCarryByDigits(ab[0], ab[1])).isTrue();
        }
    }

    private static boolean hasCarryByDigits(String a, String b) {
        for (int i = 1; i <= Math.max(a.length(), b.length()); i++) {
            int da = i <= a.length() ? a.charAt(a.length() - i) - '0' : 0;
            int db = i <= b.length() ? b.charAt(b.length() - i) - '0' : 0;
            if (da + db >= 10) {
                return true;
            }
        }
        return false;
    }

    @Property(tries = 60)
    void lookupReturnsTheQueriedValue(@ForAll long seed) {
        Skill s = LabSkills.byName("lookup");
        for (InputLength length : InputLength.values()) {
            String input = s.input(SeededRandom.of(seed), length);
            assertThat(input).matches("[a-z]:[0-9](;[a-z]:[0-9])*\\?[a-z]");
            String[] tq = input.split("\\?");
            Map<String, String> table = new HashMap<>();
            for (String e : tq[0].split(";")) {
                assertThat(table.put(e.split(":")[0], e.split(":")[1])).as("duplicate key in %s", input).isNull();
            }
            assertThat(table.values()).doesNotHaveDuplicates();
            assertThat(table.size()).isBetween(length == InputLength.LONG ? 7 : 3, length == InputLength.LONG ? 9 : 5);
            assertThat(s.answer(input)).isEqualTo(table.get(tq[1]));
        }
    }

    /** Long inputs are bigger than every standard one: more pairs for json, more characters for the others. */
    @Test
    void longInputsAreBiggerThanEveryStandardInput() {
        for (Skill s : LabSkills.all()) {
            int maxStandard = 0;
            int minLong = Integer.MAX_VALUE;
            for (int i = 0; i < 2000; i++) {
                maxStandard = Math.max(maxStandard, size(s, s.input(SeededRandom.of(i, "std"), InputLength.STANDARD)));
                minLong = Math.min(minLong, size(s, s.input(SeededRandom.of(i, "long"), InputLength.LONG)));
            }
            assertThat(minLong).as(s.name()).isGreaterThan(maxStandard);
        }
    }

    private static int size(Skill s, String input) {
        return s.name().equals("json") ? input.split(",").length : input.length();
    }

    @Test
    void answersOnForeignInputsAreRefusedAsBadInput() {
        Pattern p = Pattern.compile(".*(add|json|lookup).*");
        for (String skill : List.of("add", "json", "lookup")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabSkills.byName(skill).answer("garbage"))
                    .isInstanceOf(dev.concord.error.InvalidInputException.class)
                    .hasMessageMatching(p.pattern());
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabSkills.byName("nope"))
                .isInstanceOf(dev.concord.error.InvalidInputException.class).hasMessageContaining("rot3");
    }
}
