"""Request bodies: stop reading an upload as soon as it passes ``UPLOAD_MAX_BYTES``.

Django writes an upload larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary
file as it arrives and only then lets a form look at its size, so without this a
10 GB body would be read, and written to disk, in full before **Confirm in bulk**
said "The file is larger than 30 MB". ``SizeLimitUploadHandler`` comes first in
``FILE_UPLOAD_HANDLERS``: it counts the bytes of the request's files and, past the
limit, ends the upload without reading the rest of the body; whatever the later
handlers had kept so far is closed and deleted. The view's form then says why
(``too_large``).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

#: Set on the request when its files passed ``UPLOAD_MAX_BYTES`` and the rest was not read.
TOO_LARGE = "upload_too_large"


def too_large(request) -> bool:
    """Whether ``request``'s upload was stopped for passing ``UPLOAD_MAX_BYTES``."""
    return getattr(request, TOO_LARGE, False)


class SizeLimitUploadHandler(FileUploadHandler):
    """Ends an upload whose files pass ``settings.UPLOAD_MAX_BYTES`` (bytes, all files of
    the request together), without reading the rest of the body.

    A body whose declared ``Content-Length`` is already larger than the limit plus the
    form fields' allowance (``DATA_UPLOAD_MAX_MEMORY_SIZE``) is refused at its first
    file, before any of the file is read. Passes every chunk on unchanged otherwise.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.declared = content_length or 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.declared > settings.UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file

    def _refuse(self):
        setattr(self.request, TOO_LARGE, True)
        # connection_reset: don't read (and discard) the rest of the body either.
        raise StopUpload(connection_reset=True)
