"""The family view: families and members from the hub's tables, department sections through the gate."""
