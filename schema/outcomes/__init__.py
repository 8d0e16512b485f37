"""The course's end in the schema: `PlanGoal.exitCriterion`, `setExitCriterion`, `Family.handOver`."""
