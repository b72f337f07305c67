"""The pure core: from validated inputs, factors and rules to a Declaration."""
