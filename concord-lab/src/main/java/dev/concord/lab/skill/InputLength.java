package dev.concord.lab.skill;

/**
 * Which input lengths a skill draws from. Training, validation and test share {@link #STANDARD}; the
 * out-of-distribution split uses {@link #LONG} inputs, whose ranges do not overlap the standard ones, so an OOD
 * item can never coincide with a standard one.
 */
public enum InputLength {
    STANDARD,
    LONG
}
