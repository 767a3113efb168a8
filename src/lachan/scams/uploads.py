"""Screenshots as people send them: the type is read from the bytes, never from the name.

Only PNG, JPEG and WebP are kept. SVG (it carries script), HTML or anything else renamed to
``.png`` is refused with a message naming the file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lachan.engine.filetypes import IMAGE_EXTENSIONS, sniff_image

MAX_IMAGES = 5
MAX_IMAGE_BYTES = 5 * 1024 * 1024
EXTENSIONS = IMAGE_EXTENSIONS


@dataclass(frozen=True)
class CheckedImage:
    name: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{EXTENSIONS[self.content_type]}"


def check_images(files) -> list[CheckedImage]:
    """Read and check the uploads; a ValidationError names every file refused and why."""
    files = list(files)
    if len(files) > MAX_IMAGES:
        raise ValidationError(
            _("Chỉ gửi được tối đa %(n)d ảnh; bạn đã chọn %(m)d ảnh.")
            % {"n": MAX_IMAGES, "m": len(files)}
        )
    checked, errors = [], []
    for upload in files:
        name = getattr(upload, "name", "") or _("(không tên)")
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_IMAGE_BYTES:
            errors.append(
                _("Ảnh “%(name)s” lớn hơn 5 MB; hãy chụp lại hoặc thu nhỏ ảnh.") % {"name": name}
            )
            continue
        data = upload.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            errors.append(
                _("Ảnh “%(name)s” lớn hơn 5 MB; hãy chụp lại hoặc thu nhỏ ảnh.") % {"name": name}
            )
            continue
        content_type = sniff_image(data[:16])
        if content_type is None:
            errors.append(
                _(
                    "Tệp “%(name)s” không phải ảnh PNG, JPEG hoặc WebP (nội dung tệp không khớp); "
                    "chỉ nhận ảnh chụp màn hình."
                )
                % {"name": name}
            )
            continue
        checked.append(
            CheckedImage(
                name=name[:255],
                data=data,
                content_type=content_type,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    if errors:
        raise ValidationError(errors)
    return checked
