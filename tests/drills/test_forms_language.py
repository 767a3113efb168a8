"""Red flags written with the part names of either language parse the same."""

from django.utils import translation

from lachan.drills.forms import flags_to_text, text_to_flags


def test_red_flag_parts_in_vietnamese_english_or_keys():
    flags = [
        {"part": "sender", "text": "Tên lạ"},
        {"part": "link", "text": "Link lạ", "quote": "x"},
    ]
    with translation.override("en"):
        english = flags_to_text(flags)
        assert english.startswith("Sender | ")
        assert text_to_flags(english) == flags
        assert text_to_flags("Người gửi | Tên lạ\nlink | Link lạ | x") == flags
    with translation.override("vi"):
        assert text_to_flags(flags_to_text(flags)) == flags
        assert text_to_flags("sender | Tên lạ\nĐường link | Link lạ | x") == flags
