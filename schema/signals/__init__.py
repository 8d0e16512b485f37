"""Early signals in the schema: `Family.signals`, `FamilyUpdate.signals`, `mySignals`, `acknowledgeSignal`."""
