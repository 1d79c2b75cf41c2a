"""The ledger pages: the month's batch, its approval (once), the bank file in CSV and XLSX, scoped to the city."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from housing_security.extensions import db
from housing_security.services import subsidy_ledger
from tests.conftest import login


def test_batch_approval_and_bank_files(app, page_get):
    today = date.today()
    with app.app_context():
        subsidy_ledger.generate_month(today, "taiyuan")  # the demo wrote this month's lines: nothing new
        db.session.commit()
        batch = subsidy_ledger.batch_for("taiyuan", today, create=False)
        batch_id, lines, total = batch.id, batch.lines, batch.total
    assert lines > 0 and batch.status == "open"
    client = app.test_client()
    login(client, "liuchu")
    assert f"{today:%Y-%m}" in page_get(client, "/bureau/")  # the month's total on the dashboard
    assert "已审批" in page_get(client, "/bureau/subsidies/")  # the demo approved last month's batch
    html = page_get(client, f"/bureau/subsidies/{batch_id}")
    assert "审批本月批次" in html
    refused = client.get(f"/bureau/subsidies/{batch_id}/bank.csv", follow_redirects=True)
    assert "批次审批后才能导出银行发放文件" in refused.get_data(as_text=True)
    assert client.post(f"/bureau/subsidies/{batch_id}/approve").status_code == 302
    again = client.post(f"/bureau/subsidies/{batch_id}/approve", follow_redirects=True)
    assert "该月批次已审批" in again.get_data(as_text=True)
    csv_file = client.get(f"/bureau/subsidies/{batch_id}/bank.csv")
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    text = csv_file.get_data(as_text=True)
    assert text.startswith("\ufeff申请编号") and len(text.strip().splitlines()) == lines + 1
    xlsx = client.get(f"/bureau/subsidies/{batch_id}/bank.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "申请编号" and len(rows) == lines + 1
    assert round(sum(r[3] for r in rows[1:]), 2) == float(total)
    outsider = app.test_client()
    login(outsider, "datong_officer")
    assert outsider.get(f"/bureau/subsidies/{batch_id}").status_code == 404
    assert outsider.post(f"/bureau/subsidies/{batch_id}/approve").status_code == 404
