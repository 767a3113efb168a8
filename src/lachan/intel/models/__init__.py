from .botnet import BotnetList, BotnetListRejection, BotnetListRow, MatchMethod

__all__ = ["BotnetList", "BotnetListRejection", "BotnetListRow", "MatchMethod"]
