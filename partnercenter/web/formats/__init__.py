"""The app's own date and time formats, per language (``FORMAT_MODULE_PATH``)."""
