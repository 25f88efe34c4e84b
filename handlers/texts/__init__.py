"""Every user-facing sentence, one module per capability, so they can be read and translated
in one place. Logic modules import these names; they never spell a sentence themselves."""
