"""The programme's rules, in plain Python: no Telegram object and no SQL here (storage does the SQL).

Registration (`registration`, its vocabulary `registration_dialog` and answer reading `registration_answers`, with
the parsers `names`, `identifiers`, `dates`, `education`, all raising `validation.ValidationError`); accounts;
provinces; the catalogue (`catalogue`, `catalogue_import` checking a sheet that `spreadsheet` read), enrolment and
waitlist, reminders, the .ics `calendar`, completion; surveys (`survey_catalog` definitions, `surveys` asking them,
with `survey_runs`, `survey_prompts`, `survey_answers`); staff roles and audit, broadcasts, lookup, reports and
`report_files`; `pending` (what a person is in the middle of) and `operations` (running the bot); `erasure` (the
one erase of /hapusdata and of `retention`, the daily job that keeps data only as long as promised).
"""
