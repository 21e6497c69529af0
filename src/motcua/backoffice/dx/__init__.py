"""Back-office screens of digital transformation (chuyển đổi số): plans, tasks, budget, targets, rounds, roll-up."""
