"""How to fix each problem: the advice shown next to every code in CONTRIBUTING.md (written there by tools/docs.py)."""

from __future__ import annotations

#: Problem code → what an editor should do about it. Every code in generator.problems.CODES has an entry.
FIXES: dict[str, str] = {
    "file-too-large": ("一张表不会超过 1 MiB：检查是否误粘贴了大段内容或二进制数据，只保留表单本身。"),
    "invalid-encoding": ("用 UTF-8 编码另存文件（VS Code 右下角编码处选“通过编码保存 → UTF-8”；不要用 GBK/GB2312）。"),
    "forbidden-character": (
        "删除报告位置上看不见的字符（常见于从 Word、PDF 或网页复制的文字：软连字符、零宽空格、韩文填充符等），必要时把这一行重新输入一遍；报告中的 U+XXXX 是该字符的编码。表情符号可以保留。"
    ),
    "yaml-syntax": (
        "按报告的行列检查缩进（只用空格，不用 Tab）、冒号后的空格和引号是否成对；含冒号、# 等符号的文字用引号括起来。"
    ),
    "empty-file": ("文件里没有任何字段：补全表单内容，或用 `disclosure new` 重新生成后填写；不需要的文件请删除。"),
    "multiple-documents": ("删除文件中的 `---` 分隔行；每张表单单独一个文件。"),
    "not-a-mapping": ("文件顶层应是“字段: 值”，如 `id: xin-xiangmu`；不要以 `-` 列表或单独的一段文字开头。"),
    "duplicate-key": ("同一层级的字段只能写一次：删除或合并重复的那一行（报告中给出第一次出现的行号）。"),
    "yaml-anchor": ("不要用 `&名称` / `*名称` 引用别处的内容，把值直接写出来。"),
    "yaml-tag": ("删除 `!` 或 `!!` 开头的标签（如 `!!str`）；需要原样保留的文字用引号括起来。"),
    "yaml-merge-key": ("不要用 `<<:` 合并其他映射，把每个字段直接写出。"),
    "invalid-key": ("字段名必须是简单文字（如 `name`），不能为空、不能是列表或映射。"),
    "too-deep": ("嵌套层级过深，多半是缩进错误：对照示例表单检查缩进。"),
    "invalid-layout": ("按提示改正 `layouts/` 中的表样文件；字段说明见 `schema/layout.schema.json` 和 README 的“表样”一节。"),
    "unknown-layout": ("检查表单的 `layout:` 和 `disclosure.yml` 中的默认表样是否拼写正确；可用的表样见提示。"),
    "invalid-workbook": (
        "只导入本工具导出（`disclosure export-xlsx` / `export-data`）并在 Excel 中修改过的工作簿：不要加密、不要删改 `_data` 工作表、不要合并数据单元格；损坏时重新导出再改。"
    ),
    "workbook-conflict": (
        "只在可见的表格中修改（不要改隐藏的 `_data` 工作表）；两处都改过时，把其中一处改回导出时的值或改成一致，再导入。"
    ),
    "workbook-unmapped": (
        "工作簿中只能修改已有字段的值：新增指标行、资金来源等请直接改 YAML 文件（或 `disclosure new`）；改动过的标签改回导出时的文字；自己加的工作表和批注文字删除后再导入。"
    ),
    "unknown-field": ("字段名拼错或放错了层级：按报告给出的“是否应为 …”修改，字段名见 README 的“表单字段”。"),
    "missing-field": ("补上报告中缺少的必填字段（或填写空着的必填值）；用 `disclosure new` 生成的表单包含全部字段可作对照。"),
    "wrong-type": ("该字段应为单个值：把列表或多行映射改成一个值（长文字用 `>-` 后接缩进的段落）。"),
    "invalid-choice": (
        "改成报告列出的允许值之一（如项目类别只能是 人员类 / 公用经费 / 其他运转类 / 特定目标类；`acknowledge` 只能确认警告代码）。"
    ),
    "invalid-value": ("按报告修改取值：序号为不带前导零的正整数，项目期结束年度不早于起始年度，money_decimals 为 0 到 6。"),
    "invalid-id": (
        "编号只用小写英文字母、数字和连字符（如 `cun-shequ-huanjie`），不以连字符开头或结尾，不用保留名称（unit、index、data 等）。"
    ),
    "invalid-year": ("年度写四位数字，如 `2025`。"),
    "money-format": (
        "金额只写半角数字和小数点，如 `682.42`：去掉“万元”等单位、千分位逗号、全角数字、正负号和前导零；原表空白的栏留空。"
    ),
    "money-precision": (
        "核对原表的小数位数（默认最多 2 位，即 0.01 万元）；原表确有更多位数时在文件顶层写 `money_decimals: 4` 等。"
    ),
    "misplaced-file": ("表单放在 `content/<年度>/<单位编号>/` 下，扩展名用 `.yml`（不是 `.yaml`）；整体表命名为 `unit.yml`。"),
    "forbidden-file": (
        "报告的文件不会被读取或发布：符号链接换成文件本身（`git rm` 链接后把内容作为普通文件提交）；隐藏文件（`.gitkeep`、`.DS_Store` 等）、说明文字和备份文件（`.orig`、`.txt`）删除或移出 `content/`；表单一律以 `.yml` 结尾。"
    ),
    "empty-year": (
        "年度目录中至少要有一张表单才能发布（网页和离线归档）：用 `disclosure new unit --year …` 添加表单，或删除这个空目录（不要用 `.gitkeep` 占位）。"
    ),
    "id-mismatch": ("让 `id` 与文件名（项目表）或目录名（整体表）一致；已发布的表单改的是 `id` 还是文件名要慎重：它决定网址。"),
    "year-mismatch": ("让 `fiscal_year` 与所在年度目录一致；表单放错年度目录时移动文件。"),
    "duplicate-id": ("同一年度内项目编号不能重复（即使在不同单位）：给新项目换一个编号，并同时改文件名。"),
    "missing-unit": ("先为该单位创建整体表：`disclosure new unit --year … --id … --name …`，或把项目表移到正确的单位目录。"),
    "unit-mismatch": (
        "项目表的 `unit_name`（预算单位）和 `money_unit`（金额单位）须与所在目录的 `unit.yml` 完全一致（复制粘贴整体表中的写法）。"
    ),
    "total-mismatch": (
        "核对这一行：合计 = 财政资金 + 其他资金（+ 上年结转）。先对照原表确认是录入错误还是原表本身如此；录入错误就改正。"
    ),
    "sum-mismatch": (
        "年度资金总额应等于人员类 + 公用经费 + 其他运转类 + 特定目标类（运转类小计 = 公用经费 + 其他运转类；资金来源之和 = 年度资金总额）：改正录错的那一格。"
    ),
    "project-sum-mismatch": (
        "单位表中该类金额须等于该类全部项目表金额之和：新增、删除或修改项目后同步更新 `unit.yml` 中对应的 budget 行（`disclosure diff` 会列出应改的行和差额）。"
    ),
    "indicator-taxonomy": ("核对一级/二级指标是否录错；原表本身如此时照录，并在该条指标下写 `acknowledge:` 说明理由。"),
    "value-unparsed": ("指标值以 ≥、≤ 等符号开头但后面没有数字：核对是否漏录数字（如 `≥90%`）；原表如此则照录并确认。"),
    "placeholder-text": ("把“XX”“某某”“待填”等占位文字换成原表内容；原表本身就是这样写的，照录并确认。"),
    "percent-over-100": ("核对百分比是否录错（如 `100%` 误为 `1000%`）；原表如此则照录并确认。"),
    "percent-mismatch": ("核对占比和金额是否录错；原表如此则照录并确认。"),
    "value-unit-only": ("指标值一栏应写数值或描述（单位另有一栏时写在计量单位栏）；原表如此则照录并确认。"),
    "value-unit-conflict": ("核对指标值和计量单位是否错位（如 `28.8万元` 写在计量单位为 `%` 的行）；原表如此则照录并确认。"),
    "date-serial": ("从 Excel 复制时日期变成了数字：照原表写成日期（如 2021年12月31日）。"),
    "empty-value": ("填写空着的指标值，或补上至少一条绩效指标；原表该格确实空白时照录并确认。"),
    "missing-project-forms": (
        "单位表列有其他运转类或特定目标类金额，但目录中没有该类项目表：用 `disclosure new project` 补上项目表；原表未公开项目表时在 `unit.yml` 顶层确认并说明。"
    ),
    "stale-acknowledgement": (
        "被确认的警告已不存在（问题已改正或确认放错了位置）：删除这条 `acknowledge`，或把它移到报告警告的那条指标下。"
    ),
    "site-info-unset": (
        "在 mkdocs.yml 的 `extra.site` 下填写发布单位、联系方式、报告错误的途径（网址或电子邮箱）、数据许可和关于本站的说明，"
        "删去“【请填写】”。只在设置了 site_url 的发布构建中检查。"
    ),
}
