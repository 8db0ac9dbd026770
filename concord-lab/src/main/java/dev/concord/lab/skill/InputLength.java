package dev.concord.lab.skill;

/**
 * Which input sizes a skill draws from. Training, validation and test share {@link #STANDARD}; the
 * out-of-distribution split uses {@link #LONG} inputs, bigger than any standard one (more characters; more pairs
 * for json), so an OOD item can never coincide with a standard one.
 */
public enum InputLength {
    STANDARD,
    LONG
}
