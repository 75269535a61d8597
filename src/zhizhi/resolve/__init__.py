"""Entity resolution: records of every department resolved into one register of entities."""
