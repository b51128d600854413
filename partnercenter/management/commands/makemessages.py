"""Django's ``makemessages``, also extracting ``_lazy("...")``.

Service modules use ``gettext`` as ``_`` and ``gettext_lazy`` as ``_lazy`` for
module-level messages (e.g. rule A9's); xgettext only knows the names it is told.
"""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=_lazy"]
