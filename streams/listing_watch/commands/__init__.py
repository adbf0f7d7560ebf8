"""Sub-commands of ``listing-watch``; each module registers one."""
