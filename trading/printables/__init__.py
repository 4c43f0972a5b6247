"""Printable documents (可打印文书): the opening record, the evaluation report, the 定标报告,
the award and result notices, and every public notice (招标公告 … 流标公告), as print-ready
HTML pages (A4, ``static/print.css`` with ``@media print``) rendered from the same rows the
pages show: Chinese, Beijing time, amounts in 元 from integer 分, organisations by name.

Each document's own view checks who may read it (the permission of its route's resource);
``printables(request, project)`` lists the ones the requesting user may open, for the
project page's 文书 panel.

Each is also a PDF stamped with the platform's seal and signed (PAdES), embedding the
record it was rendered from (trading.printables.documents); `trading printables verify`
checks one offline.
"""


def includeme(config):
    from .catalogue import printables

    config.include(".documents")

    config.add_request_method(lambda request: lambda project: printables(request, project),
                              "printables", reify=True)
