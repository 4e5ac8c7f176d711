"""LPR hotlists: lists and entries, NCIC-style imports, approval, matching and hits.

The store lives in `rtcc.storage`; the rules that turn a plate read into a pending hit in
`rtcc.pipeline.rules.hotlist_match` and `rtcc.pipeline.rules.lpr_hotlist`.
"""
