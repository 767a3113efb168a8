"""The three built-in drill e-mails (Vietnamese, realistic but harmless).

Their sender addresses always use the drill domain the platform controls
(``LACHAN_DRILL_SENDER_DOMAIN``); links always point at the platform's own tracking routes.
Each lists the red flags the teaching page marks in the e-mail, and a few tips.
"""

from __future__ import annotations

from typing import Any

TUITION = {
    "key": "hoc-phi-gia",
    "name": "Thông báo thu học phí giả",
    "subject": "Thông báo thu học phí học kỳ I – hạn nộp {ngay}",
    "sender_name": "Phòng Kế toán – Thu học phí",
    "sender_local_part": "thu-hoc-phi",
    "link_label": "Xem bảng học phí và thanh toán",
    "has_login_form": False,
    "lure_title": "",
    "body_text": (
        "Kính gửi thầy/cô {ho_ten} – {don_vi},\n\n"
        "Phòng Kế toán thông báo: hệ thống thu học phí học kỳ I đã được nâng cấp. Từ nay, "
        "học phí của học sinh và các khoản đóng góp của con em cán bộ, giáo viên được nộp "
        "trực tuyến qua cổng thanh toán mới.\n\n"
        "Đề nghị thầy/cô kiểm tra và hoàn tất thanh toán trước 17 giờ ngày {ngay}. Sau thời "
        "hạn trên, hồ sơ học sinh sẽ bị tạm dừng ghi danh học kỳ I.\n\n"
        "Xem bảng học phí và thanh toán: {duong_link}\n\n"
        "Lưu ý: do cổng thanh toán đang chạy thử, thầy/cô có thể chuyển khoản trực tiếp vào "
        "tài khoản cá nhân của kế toán được ghi trên trang thanh toán.\n\n"
        "Trân trọng,\nPhòng Kế toán"
    ),
    "red_flags": [
        {
            "part": "sender",
            "text": "Thư gửi từ một địa chỉ lạ, không thuộc tên miền chính thức của trường hay "
            "của Sở (…edu.vn). Trường không có “Phòng Kế toán – Thu học phí” gửi thư như thế này.",
        },
        {
            "part": "subject",
            "text": "Tiêu đề tạo cảm giác gấp: hạn nộp chính là hôm nay.",
        },
        {
            "part": "body",
            "text": "Đe doạ hậu quả (tạm dừng ghi danh) để người nhận làm theo ngay, không kịp "
            "kiểm tra.",
            "quote": "hồ sơ học sinh sẽ bị tạm dừng ghi danh học kỳ I",
        },
        {
            "part": "link",
            "text": "Đường link thanh toán dẫn ra ngoài cổng thông tin của trường. Nhà trường "
            "chỉ thu học phí qua các kênh đã thông báo chính thức.",
        },
        {
            "part": "body",
            "text": "Yêu cầu chuyển tiền vào tài khoản cá nhân: nhà trường chỉ thu qua tài "
            "khoản đứng tên đơn vị.",
            "quote": "tài khoản cá nhân của kế toán",
        },
    ],
    "tips": [
        "Học phí chỉ nộp qua tài khoản đứng tên nhà trường, theo thông báo chính thức "
        "(văn bản của trường, cổng thông tin, sổ liên lạc điện tử).",
        "Thấy hạn chót “ngay hôm nay” kèm lời đe doạ: dừng lại, gọi điện cho kế toán hoặc "
        "Ban giám hiệu theo số điện thoại thầy/cô đã biết.",
        "Rê chuột lên đường link (không bấm) để xem tên miền thật trước khi mở.",
        "Không chuyển tiền vào tài khoản cá nhân, kể cả khi người nhận xưng là kế toán.",
    ],
}

MINISTRY = {
    "key": "cong-van-bo-gia",
    "name": "Công văn giả mạo Bộ GD&ĐT",
    "subject": "Bộ GD&ĐT: Công văn khẩn về rà soát hồ sơ giáo viên",
    "sender_name": "Văn phòng Bộ Giáo dục và Đào tạo",
    "sender_local_part": "van-thu-bo",
    "link_label": "Xem công văn",
    "has_login_form": False,
    "lure_title": "",
    "body_text": (
        "Kính gửi: thầy/cô {ho_ten}, {don_vi}.\n\n"
        "Thực hiện chỉ đạo của Lãnh đạo Bộ về chuẩn hoá cơ sở dữ liệu đội ngũ nhà giáo, Văn "
        "phòng Bộ gửi công văn khẩn về việc rà soát hồ sơ giáo viên (đính kèm trên hệ thống).\n\n"
        "Đề nghị thầy/cô xem công văn và cập nhật hồ sơ cá nhân trước 17 giờ ngày {ngay}. "
        "Giáo viên không cập nhật đúng hạn sẽ không được xét nâng lương và thi đua năm học này.\n\n"
        "Xem công văn: {duong_link}\n\n"
        "Công văn thuộc loại MẬT, đề nghị không chuyển tiếp và không trao đổi với người khác.\n\n"
        "Văn phòng Bộ Giáo dục và Đào tạo"
    ),
    "red_flags": [
        {
            "part": "sender",
            "text": "Bộ không gửi công văn tới từng giáo viên qua thư điện tử; văn bản chính "
            "thức đến qua hệ thống quản lý văn bản của Sở và của trường.",
        },
        {
            "part": "body",
            "text": "Đe doạ quyền lợi (nâng lương, thi đua) để ép làm ngay.",
            "quote": "không được xét nâng lương và thi đua",
        },
        {
            "part": "link",
            "text": "“Xem công văn” dẫn tới một trang lạ thay vì tệp văn bản có số, ký hiệu "
            "và chữ ký số.",
        },
        {
            "part": "body",
            "text": "Yêu cầu giữ bí mật, không chuyển tiếp: kẻ gian muốn thầy/cô không hỏi "
            "ai trước khi làm theo.",
            "quote": "không chuyển tiếp và không trao đổi với người khác",
        },
    ],
    "tips": [
        "Văn bản chỉ đạo đến qua hệ thống quản lý văn bản và điều hành; khi nghi ngờ, hỏi "
        "văn thư của trường hoặc của Sở.",
        "Lời dặn “bí mật, không chuyển tiếp” là dấu hiệu lừa đảo: hãy hỏi đồng nghiệp hoặc "
        "cán bộ CNTT ngay.",
        "Không mở tệp hay đường link trong thư lạ; dùng nút “Báo cáo thư đáng ngờ” trên Lá Chắn.",
    ],
}

PASSWORD = {
    "key": "mat-khau-het-han",
    "name": "Mật khẩu hộp thư sắp hết hạn",
    "subject": "Mật khẩu hộp thư công vụ của thầy/cô sẽ hết hạn sau 24 giờ",
    "sender_name": "Bộ phận Quản trị hộp thư công vụ",
    "sender_local_part": "quan-tri-hop-thu",
    "link_label": "Giữ nguyên mật khẩu hiện tại",
    "has_login_form": True,
    "lure_title": "Hộp thư công vụ – Xác nhận mật khẩu",
    "body_text": (
        "Kính gửi {ho_ten},\n\n"
        "Hệ thống ghi nhận mật khẩu hộp thư công vụ của thầy/cô sẽ hết hạn sau 24 giờ "
        "(ngày {ngay}).\n\n"
        "Để tránh bị khoá hộp thư và mất toàn bộ thư đã lưu, vui lòng xác nhận để giữ nguyên "
        "mật khẩu hiện tại tại đây: {duong_link}\n\n"
        "Nếu không xác nhận trong thời hạn trên, hộp thư sẽ bị khoá và dữ liệu sẽ bị xoá "
        "vĩnh viễn.\n\n"
        "Bộ phận Quản trị hộp thư công vụ"
    ),
    "red_flags": [
        {
            "part": "sender",
            "text": "Tên người gửi chung chung, địa chỉ không thuộc tên miền của hệ thống thư "
            "công vụ.",
        },
        {
            "part": "subject",
            "text": "Hạn 24 giờ: tạo áp lực thời gian để người nhận không kịp suy nghĩ.",
        },
        {
            "part": "body",
            "text": "Doạ khoá hộp thư, xoá dữ liệu “vĩnh viễn”.",
            "quote": "dữ liệu sẽ bị xoá vĩnh viễn",
        },
        {
            "part": "link",
            "text": "Đòi “xác nhận mật khẩu hiện tại” qua đường link: quản trị viên thật không "
            "bao giờ hỏi mật khẩu của thầy/cô.",
        },
    ],
    "tips": [
        "Không ai — kể cả quản trị hệ thống — cần biết mật khẩu của thầy/cô.",
        "Muốn đổi mật khẩu, hãy tự gõ địa chỉ trang đăng nhập quen thuộc, không bấm link "
        "trong thư.",
        "Bật xác thực hai lớp cho hộp thư và các tài khoản công việc.",
        "Lỡ nhập mật khẩu vào trang lạ: đổi mật khẩu ngay và báo cán bộ CNTT.",
    ],
}

BUILTIN_TEMPLATES: list[dict[str, Any]] = [TUITION, MINISTRY, PASSWORD]
