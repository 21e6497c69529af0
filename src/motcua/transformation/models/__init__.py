"""Digital-transformation (chuyển đổi số) plans, tasks, budgets, targets, teams, activities and rounds."""

from .catalogue import FundingSource, TaskGroup
from .community import Activity, CommunityTeam, TeamMove
from .jobs import PaperJob
from .plans import BudgetLine, Plan, PlanSection, Task, TaskHandover
from .rounds import ReportingRound, RoundReminder, RoundResponse
from .targets import IndicatorValue, Narrative, Target

__all__ = ["Activity", "BudgetLine", "CommunityTeam", "FundingSource", "IndicatorValue", "Narrative", "PaperJob",
           "Plan", "PlanSection", "ReportingRound", "RoundReminder", "RoundResponse", "Target", "Task", "TaskGroup",
           "TaskHandover", "TeamMove"]
