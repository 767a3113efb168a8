# English pages show dates exactly as the Vietnamese ones do: dd/mm/yyyy (design.md §8).
from lachan.web.formats.vi.formats import *  # noqa: F403
