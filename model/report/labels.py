"""Words on figures, in the workbook and in the report, in English and Chinese.

Every label is a pair (English, Chinese). :func:`word` and :func:`metric` give one
language; :func:`word2` and :func:`metric2` give the bilingual form used in the workbook
and the report headers (Chinese first for ``lang="zh"``: ``"基本工资 Base pay"``; English
only for ``"en"``).
Metric labels follow :mod:`model.metrics`; a metric with a scope after a dot
(``payroll.gulou``) is labelled with its base metric and the scope name.
"""

from __future__ import annotations

from contextlib import contextmanager

from .. import metrics as M

LANGS = ("en", "zh")

METRICS = {
    "headcount": ("Headcount on 31 December", "年末在岗人数"),
    "posts": ("Posts", "岗位数"),
    "communities": ("Communities", "社区数"),
    "vacancies": ("Vacant posts", "空缺岗位数"),
    "vacancy_rate": ("Vacancy rate", "空缺率"),
    "surplus_workers": ("Workers above posts", "超岗人数"),
    "unfilled_posts": ("Unfilled posts", "招聘未补足岗位数"),
    "urban_residents": ("Urban residents", "城镇常住人口"),
    "workers_per_10k": ("Workers per 10,000 urban residents",
                        "每万名城镇常住人口社区工作者数"),
    "workers_per_community": ("Workers per community", "平均每社区社区工作者数"),
    "certified_share": ("Certified share", "持证率"),
    "certified_share_assistant": ("Certified share, assistant level", "助理社会工作师占比"),
    "certified_share_intermediate": ("Certified share, intermediate level", "社会工作师占比"),
    "certified_share_senior": ("Certified share, senior level", "高级社会工作师占比"),
    "certified_per_community": ("Certified workers per community", "平均每社区持证人数"),
    "communities_party_share": ("Communities with enough party-building workers", "党建岗位达标社区占比"),
    "exam_sitters": ("Exam candidates", "参加职业水平考试人数"),
    "exam_passes": ("Exam passes", "考试通过人数"),
    "trained": ("Workers trained", "参训人数"),
    "rated_excellent_share": ("Rated excellent", "考核优秀占比"),
    "rated_qualified_share": ("Rated qualified", "考核称职占比"),
    "rated_basic_share": ("Rated basically qualified", "考核基本称职占比"),
    "rated_unqualified_share": ("Rated unqualified", "考核不称职占比"),
    "exit_rate": ("Exit rate", "减员率"),
    "mean_tenure": ("Mean years of service", "平均任职年限"),
    "mean_grade": ("Mean grade", "平均岗级"),
    "share_head": ("Share in head posts", "正职占比"),
    "share_committee": ("Share in committee posts", "两委占比"),
    "share_staff": ("Share in staff posts", "其他社区工作者占比"),
    "grade_steps": ("Grade steps", "晋级人数"),
    "degrees_earned": ("Degrees earned in service", "在职学历提升人数"),
    "posts_filled_internally": ("Posts filled internally", "经选举晋升两委或正职人数"),
    "average_wage": ("Local average wage", "当地上年平均工资"),
    "worker_years": ("Worker-years", "人年"),
    "payroll_per_worker_year": ("Payroll per worker-year", "每人年人员经费"),
    "college_share": ("College-educated share", "大专以上学历占比"),
    "hires": ("Hires", "招聘人数"),
    "hires_exempt": ("Hires under an exemption", "放宽条件招聘"),
    "exits_quit": ("Quits", "辞职"),
    "exits_retired": ("Retirements", "退休"),
    "exits_death": ("Deaths", "死亡"),
    "exits_dismissed_assessment": ("Dismissed (assessment)", "考核不称职解聘"),
    "exits_dismissed_cert": ("Dismissed (no certificate)", "未取证解聘"),
    "exits_eliminated": ("Bottom-ratio elimination", "末位淘汰"),
    "exits_nonrenewal": ("Contract not renewed", "合同期满不续签"),
    "exits_promoted_out": ("Recruited into civil service", "定向招录为公务员/事业编"),
    "exits_total": ("Exits", "减员人数"),
    "payroll": ("Payroll", "人员经费"),
    "payroll_base": ("Base pay", "基本工资"),
    "payroll_performance": ("Performance pay", "绩效工资"),
    "payroll_allowance": ("Certificate allowance", "持证津贴"),
    "payroll_insurance": ("Employer social insurance", "社会保险费（单位缴纳部分）"),
    "payroll_housing_fund": ("Housing provident fund", "住房公积金（单位缴存部分）"),
    "payroll_annuity": ("Enterprise annuity", "企业年金"),
    "cost_training": ("Training", "培训经费"),
    "cost_degrees": ("Degree support", "学历提升经费"),
    "cost_recruitment": ("Recruitment", "招聘经费"),
    "cost_work_funds": ("Community work funds", "社区工作经费"),
    "total_cost": ("Total cost", "经费合计"),
    "funding_city": ("City subsidy", "市级财政补助"),
    "funding_province": ("Province funds", "省级财政补助"),
    "funding_district": ("District funds", "区级财政承担"),
    "payroll_real": ("Payroll, constant prices", "人员经费（不变价）"),
    "total_cost_real": ("Total cost, constant prices", "经费合计（不变价）"),
    "pay_ratio_head": ("Head's pay / average wage", "正职薪酬/上年平均工资"),
    "pay_ratio_committee": ("Committee pay / average wage", "两委薪酬/上年平均工资"),
    "pay_ratio_staff": ("Staff pay / average wage", "其他社区工作者薪酬/上年平均工资"),
    "remuneration_ratio_head": ("Head's remuneration incl. insurance and fund / average wage",
                                "正职报酬(含五险一金)/上年平均工资"),
    "remuneration_ratio_committee": ("Committee remuneration incl. insurance and fund / average wage",
                                     "两委报酬(含五险一金)/上年平均工资"),
    "remuneration_ratio_staff": ("Staff remuneration incl. insurance and fund / average wage",
                                 "其他社区工作者报酬(含五险一金)/上年平均工资"),
    "avg_pay_head": ("Average pay, heads", "正职平均薪酬"),
    "avg_pay_committee": ("Average pay, committee", "两委平均薪酬"),
    "avg_pay_staff": ("Average pay, staff", "其他社区工作者平均薪酬"),
    "communities_certified_k_share": ("Communities with enough certified workers", "持证人数达标社区占比"),
    "elimination_rate": ("Elimination rate", "末位淘汰率"),
    "mean_age": ("Mean age", "平均年龄"),
    "communities_split": ("Communities split", "拆分社区数"),
    "communities_merged": ("Communities merged", "合并社区数"),
}

UNITS = {
    "workers": ("workers", "人"),
    "posts": ("posts", "个"),
    "communities": ("communities", "个"),
    "share": ("%", "%"),
    "workers/year": ("workers per year", "人/年"),
    "yuan/year": ("yuan per year", "元/年"),
    "yuan/year, constant prices": ("yuan per year, constant prices", "元/年（不变价）"),
    "workers per 10,000 urban residents": ("per 10,000 urban residents", "人/万人"),
    "persons": ("persons", "人"),
    "years": ("years", "岁"),
    "years of service": ("years", "年"),
    "communities/year": ("communities per year", "个/年"),
    "worker-years": ("worker-years", "人年"),
    "yuan per worker-year": ("yuan per worker-year", "元/人年"),
    "yuan per worker per year": ("yuan per worker per year", "元/人·年"),
    "grade": ("grade", "级"),
    "share of communities": ("% of communities", "%（占社区数）"),
    "share/year": ("% per year", "%/年"),
    "share of last year's average wage": ("% of last year's average wage", "%（占上年平均工资）"),
    "yuan per worker per year (last year's local average wage: the pay benchmark)":
        ("yuan per worker per year", "元/人·年"),
}
"""Each metric unit (:data:`model.metrics.UNITS`) in English and Chinese, as the outputs
label it (shares are drawn in percent)."""

FIELD_UNITS = {
    "yuan": "元", "yuan/month": "元/月", "yuan/year": "元/年", "yuan/worker-year": "元/人·年",
    "yuan/year per person": "元/人·年（人均）", "1/year": "年率", "year": "年",
    "yuan/year per community": "元/社区·年",
}
"""The Chinese of the units of the scenario's money fields (:mod:`model.schema`), as the
budget workbook's sheet of money inputs shows them."""

WORDS = {
    "scenario": ("Scenario", "情景"),
    "description": ("Description", "说明"),
    "seed": ("Seed", "随机种子"),
    "replications": ("Replications", "模拟次数"),
    "version": ("Model version", "模型版本"),
    "date": ("Date", "日期"),
    "hash": ("Scenario hash", "情景参数哈希值"),
    "starting_workforce": ("Starting workforce", "期初队伍"),
    "settings": ("Set over the policy described", "在上述政策基础上修改的参数"),
    "from_roster": ("the roster {file}: {n:,} workers (SHA-256 {sha})",
                    "花名册 {file}：{n:,} 人（SHA-256 {sha}）"),
    "from_mixes": ("drawn from the scenario's population mixes", "按情景的人员结构随机生成"),
    "units": ("Units", "单位"),
    "years": ("Years", "年份"),
    "year": ("Year", "年份"),
    "item": ("Item", "项目"),
    "metric": ("Metric", "指标"),
    "statistic": ("Statistic", "统计量"),
    "unit": ("Unit", "单位"),
    "mean": ("Mean", "均值"),
    "median": ("Median", "中位数"),
    "p50": ("P50", "P50"),
    "p90": ("P90", "P90"),
    "rounding": (("Cells hold unrounded values and show them rounded, so a total may differ from the sum "
                  "of its shown parts in the last digit (a sum formula over the cells adds them exactly)"),
                 "单元格存储未经舍入的数值、显示舍入后的数值，故合计与所显示分项之和可能在末位相差（以公式对单元格求和则完全一致）"),
    "growth": ("Growth on the year before (mean)", "比上年增长（均值）"),
    "band50": ("P25-P75 band", "50%区间（P25–P75）"),
    "band90": ("P05-P95 band", "90%区间（P05–P95）"),
    "target": ("Target", "目标"),
    "targets": ("Targets", "目标"),
    "probability": ("Probability met", "达成概率"),
    "interval": ("95% interval", "95%区间（模拟误差）"),
    "source": ("Source", "来源"),
    "men": ("Men", "男"),
    "women": ("Women", "女"),
    "age": ("Age", "年龄"),
    "million_yuan": ("million yuan", "百万元"),
    "yuan_year": ("yuan per year", "元/年"),
    "wan_yuan_year": ("10,000 yuan per year", "万元/年"),
    "figures_in_english": (("Figures are in English: no Chinese font was found"),
                           ("本机未找到中文字体，以下图表以英文标注，金额单位为百万元（million yuan，表格为万元）；"
                            "安装中文字体（如 fonts-noto-cjk）后重新运行即为中文")),
    "yuan": ("yuan", "元"),
    "wan_yuan": ("10,000 yuan", "万元"),
    "floored_targets": (("{n} of the targets are on pay relative to the average wage, which the scenario "
                         "also floors (pay.floor_share, districts' floor_share): the model pays at least "
                         "the floor, so a target at or below its floor is met by the model's own rule; such "
                         "a target checks that the floor holds, it does not forecast that it will"),
                        ("上表中有{n}个目标为报酬与平均工资之比，情景也设定了相应底线（pay.floor_share、各区floor_share）："
                         "模型至少按底线发放，故不高于底线的目标按规则必然达成；这类目标检验底线得到执行，"
                         "并非对能否达成的预测")),
    "eliminated_targets": (("Targets on the elimination rate in a year whose share the scenario eliminates "
                            "({names}): the model removes at least elimination.share of the workers it "
                            "covers by rule, so a target at or below that share checks the rule, it does "
                            "not forecast that it will be met"),
                           ("当年淘汰比例目标（{names}）不高于情景设定的末位淘汰比例（elimination.share）："
                            "模型按规则至少淘汰所覆盖人员的该比例，故这类目标检验规则得到执行，并非对能否达成的预测")),
    "lifted_targets": (("Certified-share targets in a year whose assessment dismisses workers without a "
                        "certificate ({names}): the share on 31 December is counted after those dismissals, "
                        "which raise it (exits_dismissed_cert); `python -m model compare SCENARIO --variant "
                        "dismissal.certificate_deadline=0` shows the rule's whole effect, over the years"),
                       ("持证率目标（{names}）所在年份的考核中有人员因未取得证书被解聘：年末持证率在解聘后计算，"
                        "解聘使其提高（exits_dismissed_cert）；python -m model compare SCENARIO --variant "
                        "dismissal.certificate_deadline=0 可显示该规则历年的全部影响")),
    "zero_rows": (("0 in every year and replication: {items}; if an amount is expected there, check the "
                   "fields behind it on the Money inputs sheet (set to 0 by the scenario, left at the "
                   "model's default, or a mechanism switched off)"),
                  ("各年各次模拟均为0：{items}；如此项应有金额，请在“经费参数与来源”表中核对相关参数"
                   "（情景设为0、取模型默认值，或相应机制未启用）")),
    "p90_means": (("P90 = the 90th percentile of the replications (linearly interpolated): about 90% of "
                   "them cost at or below it. It covers only the uncertainty the scenario draws at random: "
                   "the workers' own flows and the inputs given as a law (the money inputs among them shown "
                   "so on the Money inputs sheet). Every other input, the marked assumptions included, is "
                   "taken as exact, and the model's own errors are not in it: the real range is wider"),
                  ("P90 = 各次模拟的第90百分位数（线性插值），约90%的模拟中成本不超过该值。"
                   "它只反映情景中随机抽取的不确定性：人员流动本身，以及以分布给出的参数（其中经费参数见“经费参数与来源”表）；"
                   "其他参数（包括标明的假设）均视为确定值，也不含模型本身的误差，实际结果的波动范围会更大")),
    "p90_error": (("The P90 of {item} in {year} is {p90}; from these replications' order statistics its "
                   "95% interval runs from {lo} to {hi}; more replications (--reps) narrow it"),
                  "{year}年{item}的P90为{p90}；按各次模拟的顺序统计量，其95%区间为{lo}至{hi}；增加模拟次数（--reps）可缩小区间"),
    "p90_precision": ("P90 precision", "P90精度"),
    "above_all_runs": ("above every replication's (too few replications to bound it)",
                       "高于所有模拟值（模拟次数过少，无法给出上限）"),
    "below_all_runs": ("below every replication's (too few replications to bound it)",
                       "低于所有模拟值（模拟次数过少，无法给出下限）"),
    "calendar_years": (("calendar years; the first, {year}, applies the scenario's rules from 1 January"),
                       "按日历年；首年{year}年自1月1日起适用情景规则"),
    "total_years": ("Total {y0}–{y1} ({unit})", "{y0}–{y1}年合计（{unit}）"),  # its own unit: not a year's
    "total_column": (("The last column is each item's total over the years: its mean is the sum of the "
                      "yearly means, its P50 and P90 those of the replications' totals (for a multi-year "
                      "budget, rather than the sum of the yearly P90s, which is the P90 of no one outcome: "
                      "it is close to the total's where a costly replication stays costly every year, as "
                      "when the uncertainty is in lasting parameters such as wage growth, and above it "
                      "where good and bad years offset within a replication)"),
                     ("最后一列为各项逐年合计：均值等于各年均值之和，P50和P90为各次模拟合计值的百分位数（多年预算请以此为准；"
                      "各年P90之和并非任何一种结果的P90：同一次模拟各年一贯偏高时（如工资增长等长期参数不确定）与之接近，"
                      "各年高低相互抵消时则偏高）")),
    "funding_rules": (("City subsidy = funding.city_subsidy_per_worker ({subsidy}) per worker-year, "
                       "each district's at most that district's own total cost (the city's, where the "
                       "scenario has no districts), added up; province = "
                       "funding.province_share ({share}) of the rest; district = the remainder. So the "
                       "province and the district share all the subsidy does not cover: the payroll above "
                       "it, training, recruitment and work funds, and the uncertainty of the cost"),
                      ("市级补助 = 每人年funding.city_subsidy_per_worker（{subsidy}），按区分别计算、"
                       "各区以本区经费合计为上限后加总（未分区时以全市经费合计为上限）；"
                       "省级财政补助 = 其余部分的funding.province_share（{share}）；区级财政承担余额。"
                       "补助未覆盖的全部支出（超出补助的人员经费、培训、招聘、工作经费及成本的不确定部分）由省级和区级分担")),
    "drawn": ("drawn per replication, {dist}, mean {mean}", "每次模拟抽取，{dist}分布，均值{mean}"),
    "from_year": ("from {year}: {value}", "{year}年起{value}"),
    "linear_between": (", linear between", "，其间线性变化"),
    "district_rows": (("One row per district as the scenario defines its districts (a scenario may "
                       "group communities in a district of their own, such as all village communities), "
                       "holding that district's communities; the urban districts' means add up to the "
                       "urban total's, the rural ones' to the rural total's, and the two totals' to the "
                       "city's (P50s and P90s do not add up: each is its own): add the "
                       "district rows or the totals, not both (a total of one district is that district's "
                       "rows, named below). A district's funding is the city's rule "
                       "on its own total cost and worker-years (the city subsidy capped at its cost)"),
                      ("每行为情景所设的一个区，含该区所辖社区（情景可将部分社区单列为一区，如全部农村社区）；"
                       "城市社区各区均值之和等于城市社区合计的均值，农村社区各区均值之和等于农村社区合计的均值，两项合计之和等于全市数（P50和P90不可相加，各自单独计算）："
                       "各区行与合计行不可相加（仅含一区的合计即该区各行，见下）。各区经费来源按全市规则以该区总成本和人年数计算（市级财政补助以该区成本为上限）")),
    "p90_no_sum": (("each item's P90 is its own: the P90s of the parts do not add up to the P90 of their "
                    "total (usually to more), so budget a total by its own row"),
                   ("各项P90分别计算：各分项P90之和不等于合计的P90（通常更大），"
                    "合计请以合计行的P90为准")),
    "deflator": (("deflated by the scenario's assumed inflation, economy.inflation (drawn per replication "
                  "where it is uncertain); fixed amounts such as the city subsidy per worker stay fixed "
                  "in current yuan"),
                 ("按情景假定的通胀率（economy.inflation，不确定时每次模拟抽取）平减；"
                  "每人市级补助等定额为名义金额，不作平减")),
    "p50_means": ("P50 = median of the replications", "P50 = 各次模拟的中位数"),
    "mean_means": ("Mean = average over the replications", "均值 = 各次模拟的平均值"),
    "cover": ("Cover", "封面"),
    "by_component": ("By component", "按支出构成"),
    "by_source": ("By funding source", "按资金来源"),
    "constant_prices": ("Constant prices", "不变价"),
    "by_district": ("By district", "分区"),
    "staffing": ("Staffing", "人员配置"),
    "people_units": (("workers, worker-years, posts, and yuan per worker-year or per worker per year, "
                      "nominal (each row says which); headcount and average pay on 31 December, hires and "
                      "exits in the year. Payroll per worker-year: each replication's payroll / its "
                      "worker-years, employer contributions included, then the mean of those (not the ratio "
                      "of the two means above). Average pay: the yearly pay rate of the post on 31 December, "
                      "gross with performance pay in full plus the certificate allowance, without employer "
                      "contributions: a rate, not the pay received"),
                     ("人、人年、个及元/人年、元/人·年（现价）（见各行）；在岗人数与平均薪酬为年末数，招聘与减员为当年人数。"
                     "每人年人员经费：各次模拟的人员经费除以其人年数（含单位缴纳的社会保险和公积金），再取均值"
                     "（不等于上方两个均值之比）。平均薪酬：年末该岗位的年薪标准，含全额绩效工资与持证津贴，"
                     "不含单位缴费；为标准，非实发数")),
    "inputs": ("Money inputs", "经费参数与来源"),
    "inputs_note": (("The inputs behind the money sheets, as this run read them: every field of the pay, "
                     "economy and funding sections, the training and recruitment costs (or, where training "
                     "or recruitment is switched off, that), and each district's own pay floors; where each "
                     "was set (file and line, an option, or the model's default) and the comment written "
                     "beside it there (its source, or '# assumption:' and the reason). A value drawn in each "
                     "replication is shown as its law; a schedule by its years."),
                    ("本表列出各经费表所依据的参数（本次运行实际读取的值）：薪酬、经济、资金来源各节的全部字段，培训"
                     "与招聘费用（相应机制未启用时注明未启用），以及各区自定的薪酬下限；并注明各参数的设定位置（文件及行号、"
                     "命令行选项或模型默认值）及其旁注（数据来源，或以“# assumption:”标明的假设及理由）。"
                     "各次模拟随机抽取的参数显示其分布，按年设定的参数显示各年取值。")),
    "diff_title": ("Budget difference: {alt} against {base}", "经费差异：{alt} 与基准方案 {base} 比较"),
    "diff_note": (("{unit}, nominal (constant prices where the item says so). For each item: the "
                   "baseline's and the alternative's means; the mean paired difference (alternative minus "
                   "baseline, on common random numbers) and its {pct}% interval, which narrows as "
                   "replications are added; and the 5% and 95% quantiles of one replication's own "
                   "difference: the range of the change in 9 possible futures out of 10. The last column: "
                   "the same for the total over the years. {reps} replications, seed {seed}"),
                  ("{unit}，现价（注明不变价的项目除外）。每个项目列出：基准方案与比较方案的均值；配对差值（比较方案减基准方案，"
                   "共同随机数）的均值及其{pct}%置信区间（随模拟次数增加而收窄）；以及单次模拟差值的第5和第95百分位数，"
                   "即十种可能的未来中九种的变化范围。最后一列为各年合计的相应数值。模拟{reps}次，随机种子{seed}")),
    "baseline_mean": ("Baseline mean", "基准方案均值"),
    "alternative_mean": ("Alternative mean", "比较方案均值"),
    "difference_mean": ("Difference (mean)", "差值（均值）"),
    "difference_low": ("Difference, {pct}% interval low", "差值均值{pct}%区间下限"),
    "difference_high": ("Difference, {pct}% interval high", "差值均值{pct}%区间上限"),
    "difference_p05": ("Difference P5 (one replication)", "单次差值P5"),
    "difference_p95": ("Difference P95 (one replication)", "单次差值P95"),
    "value": ("Value", "取值"),
    "set_in": ("Set in", "设定位置"),
    "source_note": ("Source or assumption (the file's comment)", "来源或假设（文件旁注）"),
    "lone_part": (("{district} holds all the {kind} communities, so its rows are also the {kind} total "
                   "({total}), which is not repeated"), "{district}即全部{kind}社区：该区各行即{total}，不再重复列出"),
    "field_doc": ("What it is", "含义"),
    "model_default": ("model default", "模型默认值"),
    "nominal": ("nominal prices", "现价"),
    "constant_of": ("constant prices of {year}", "{year}年不变价"),
    "created": ("Created", "生成时间"),
    "sheets": ("Sheets", "工作表"),
    "urban": ("Urban communities", "城市社区合计"),
    "rural": ("Rural communities", "农村社区合计"),
    "what_was_run": ("What was run", "运行信息"),
    "payroll_falls": (("Payroll falls in {year} ({change} on {before}): worker-years change {wy} and "
                       "the payroll per worker-year {ppw}; in {before}, {exits} workers left ({causes}) "
                       "and {hires} were hired (means)"),
                      ("{year}年人员经费较{before}年{change}：人年数{wy}，每人年人员经费{ppw}；"
                       "{before}年减员{exits}人（{causes}），招聘{hires}人（均值）")),
    "payroll_moves": (("Payroll in {year} ({change} on {before}) moves with the staffing: worker-years "
                       "change {wy} and the payroll per worker-year {ppw}; in {before}, {exits} workers left "
                       "({causes}) and {hires} were hired (means)"),
                      ("{year}年人员经费较{before}年{change}，随在岗人数变动：人年数{wy}，每人年人员经费{ppw}；"
                       "{before}年减员{exits}人（{causes}），招聘{hires}人（均值）")),
    "key_table": ("Key figures (means unless stated)", "关键指标（除注明外为均值）"),
    "figures": ("Figures", "图表"),
    "assumptions": ("Assumptions marked in the scenario", "情景中标注的假设"),
    "no_assumptions": ("The scenario marks no field as an assumption.", "情景未标注任何假设。"),
    "defaults": (("{n} fields are left at the model's defaults (set neither by the scenario, the files it "
                 "extends nor an override): check each fits the place"),
                 ("{n} 个字段取模型默认值（情景、其继承的文件和覆盖设置均未设定），"
                 "请逐一核对是否符合当地情况")),
    "defaults_off": (("Not listed: the defaults of the mechanisms switched off (enabled = false), but for "
                      "those still read (deaths with quits off): {sections}"),
                     "未列出已关闭机制（enabled = false）的默认值（仍起作用者除外，如关闭辞职时的死亡率）：{sections}"),
    "default": ("Default", "默认值"),
    "no_targets": ("The scenario sets no targets.", "情景未设定目标。"),
    "file": ("File", "文件"),
    "field": ("Field", "字段"),
    "text": ("Assumption", "假设"),
    "horizon": ("Horizon", "预测期"),
    "horizon_cut": (("; cut short from {written} by {by} years={n}: {k} target(s) after it not evaluated "
                     "(no row on the board or in targets.csv): {names}"),
                    ("；由{by} years={n}缩短（情景文件为{written}）：其后的{k}项目标未评估"
                     "（目标表和targets.csv中无此行）：{names}")),
    "report": ("Forecast report", "预测报告"),
    "budget_title": ("Payroll budget forecast", "社区工作者经费预算预测"),
    "compare_report": ("Comparison of alternatives", "方案比较"),
    "alternatives": ("Alternatives", "方案"),
    "baseline": ("baseline", "基准"),
    "difference": ("Difference from the baseline (mean, and its 95% interval; common random numbers)",
                   "与基准方案之差（均值及其95%置信区间，共同随机数）"),
    "difference_note": (("The interval is of the mean difference: it narrows as replications are added. "
                        "The difference in one replication, the outcome of one possible future, varies more: "
                        "the range it falls in 9 times in 10 is in differences.csv (difference_p05 and "
                        "difference_p95)."),
                        ("区间为差值均值的置信区间，随模拟次数增加而收窄；单次模拟（一种可能的未来）的差值波动更大，"
                        "其90%范围见 differences.csv（difference_p05 与 difference_p95 列）。")),
    "diff": ("Difference", "差值"),
    "pp": ("percentage points", "百分点"),
    "pp_short": ("pp", "个百分点"),
    "target_probabilities": ("Probability each target is met", "各目标达成概率"),
    "flows": ("Hires and exits by cause (mean)", "招聘与减员（按原因，均值）"),
    "pyramid": ("Age pyramid of the workforce (mean; whiskers: 5-95% of replications)",
                "队伍年龄结构（均值；误差线：各次模拟的 5%-95%）"),
    "payroll_components": ("Payroll by component (mean)", "人员经费构成（均值）"),
    "funding_sources": ("Total cost by funding source (mean)", "经费合计按资金来源（均值）"),
    "hires_up_exits_down": ("hires above zero, exits below", "零线以上为招聘，以下为减员"),
    "sure_met": ("very likely met (lower bound >= 90%)", "基本确定达成（95%区间下限≥90%）"),
    "likely_met": ("likely met (>= 50%)", "较可能达成（达成概率≥50%）"),
    "unlikely_met": ("unlikely (< 50%)", "较难达成（达成概率<50%）"),
    "sure_missed": ("very likely missed (upper bound <= 10%)", "基本确定未达成（95%区间上限≤10%）"),
    "reps_seed": ("{reps} replications, seed {seed}", "{reps}次模拟，种子{seed}"),
    "rep_seed": ("{reps} replication, seed {seed}", "{reps}次模拟，种子{seed}"),
    # the console of `model run` (model.cli)
    "running": ("Running {name}: {reps}; output: {out}/", "运行 {name}：{reps}；输出：{out}/"),
    "forecast_for": ("Forecast for {name} ({reps}; means)", "{name}预测（{reps}；均值）"),
    "console_metric": ("metric", "指标"),
    "console_year": ("year", "年份"),
    "console_payroll": ("{metric} (million yuan)", "{metric}（万元）"),
    "targets_met": ("Targets: probability met", "目标达成概率"),
    "target_line": ("{name}: {metric} {op} {threshold} in {year}: {p}",
                    "{name}：{metric} {op} {threshold}（{year}年）：{p}"),
    "by_rule_mark": ("  (met by the elimination rule itself, not a forecast)",
                     "（由末位淘汰规则本身保证，非预测结果）"),
    "wrote": ("Wrote {out}/ ({files})", "已写入 {out}/（{files}）"),
    "list_sep": (", ", "、"),
    "threshold": ("Threshold", "目标值"),
    "first_year": ("First met by half the runs in", "半数模拟首次达成年份"),
    "first_year_p90": ("By nine in ten runs in", "九成模拟达成年份"),
    "verdict": ("Verdict", "研判结论"),
    "target_note": (("Probability: the share of the {reps} replications in which the target is met; "
                     "interval: its 95% Wilson interval, the Monte Carlo error of that share (more "
                     "replications narrow it), not the uncertainty of the forecast itself, which the "
                     "probability already holds. Verdict: very likely met when the interval's lower end is "
                     "at least 90%, very likely missed when its upper end is at most 10%, else likely or "
                     "unlikely by the probability. First met: the year by which half the replications have "
                     "met the target's condition, in any year of the run (before the target's year too, even "
                     "if it no longer holds by then); by nine in ten: the year by which nine tenths have, "
                     "the year it is met with 90% probability (– where fewer ever do)."),
                    ("概率：{reps}次模拟中达成目标的比例；区间：该比例的95% Wilson区间，反映模拟次数带来的误差"
                     "（增加模拟次数可缩小），并非预测本身的不确定性（后者已体现在概率中）。研判结论：区间下限≥90%为基本确定达成，"
                     "上限≤10%为基本确定未达成，其余按概率判为较可能达成或较难达成。首次达成：半数模拟已达成目标条件的年份，计入预测期内任一年份（含目标年份之前，即使到目标年份已不再满足）；"
                     "九成模拟达成年份：九成模拟已达成的年份，即以90%概率达成的年份（达成的模拟不足九成时为“–”）。")),
    "target_difference_note": (("Each alternative: probability the target is met [95% Wilson interval], then its "
                                "difference from the baseline in percentage points [95% interval for paired "
                                "proportions, Newcombe], on the same replications"),
                               "各方案：目标达成概率［95% Wilson区间］，及与基准方案之差（百分点）［配对比例95%区间，Newcombe法］，基于相同的模拟"),
    "none": ("none", "无"),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def _pair(table: dict, key: str) -> tuple[str, str]:
    return table.get(key, (key, key))


def word(key: str, lang: str = "en", **fmt) -> str:
    """A fixed phrase in one language (``fmt`` fills ``{placeholders}``)."""
    en, zh = _pair(WORDS, key)
    return (zh if lang == "zh" else en).format(**fmt)


def reps_seed(reps: int, seed: int, lang: str = "en") -> str:
    """"20 replications, seed 5" (or "1 replication, ...")."""
    return word("rep_seed" if reps == 1 else "reps_seed", lang, reps=reps, seed=seed)


def _both(en: str, zh: str, lang: str) -> str:
    return f"{zh} {en}" if lang == "zh" and zh != en else en


def horizon_cut(scenario, lang: str = "en") -> str:
    """Where an override cut the horizon short and targets fall after it, a clause naming
    them (they have no row in targets.csv or on the board): '; cut short from 2021-2030 by
    --set years=2: 4 targets after it are not evaluated: ...'; '' otherwise."""
    later = getattr(scenario, "targets_after_horizon", ()) if scenario is not None else ()
    if not later:
        return ""
    start, years = scenario.horizon_written
    by = scenario.overridden().get("years", {}).get("by", "--set")
    names = word("list_sep", lang).join(target_name(t, lang) for t in later)
    return word("horizon_cut", lang, written=f"{start}–{start + years - 1}", by=by, n=scenario.years,
                k=len(later), names=names)


def settings(scenario, lang: str = "en") -> str:
    """The fields set over the scenario's files (``--set``, a variant, the API's overrides),
    and those a file extending another sets over it while keeping its description
    (:meth:`model.scenario.Scenario.set_by_variant`), each with its value and what set it:
    ``quits.rate = [0.12] (--set)``, ``pay.growth = 0.06 (variant.toml)``; '' where none is,
    so that a report or workbook does not describe the files' policy for a run of another."""
    from ..scenario import toml_inline
    variant = scenario.set_by_variant() if hasattr(scenario, "set_by_variant") else {}
    options = scenario.overridden() if scenario is not None and hasattr(scenario, "overridden") else {}
    said = {**variant, **options}.items()
    named = ("name", "description", "description_zh")  # a variant's own name and description: not a policy
    return word("list_sep", lang).join(f"{k} = {toml_inline(shown(v['value']))} ({v['by']})" for k, v in said
                                       if k not in named)


def shown(value):
    """A value as a reader is shown it: floats to 12 significant digits (0.088, not the
    product's 0.08800000000000001; the manifest keeps the exact value)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, (list, tuple)):
        return [shown(v) for v in value]
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    return value


def starting_workforce(scenario, lang: str = "en") -> str:
    """Where the starting workers come from: the roster (file, workers, hash) or the mixes."""
    r = getattr(scenario, "roster", None)
    if r is None:
        return word2("from_mixes", lang)
    from pathlib import Path
    return word2("from_roster", lang, file=Path(r.path).name, n=len(r), sha=r.sha256[:12])


def word2(key: str, lang: str = "en", by_lang: dict | None = None, **fmt) -> str:
    """A fixed phrase, Chinese first then English for ``zh``; English only for ``en``.
    ``by_lang``: placeholders whose text differs by language, ``{name: (en, zh)}``."""
    en, zh = _pair(WORDS, key)
    by_lang = by_lang or {}
    return _both(en.format(**fmt, **{k: v[0] for k, v in by_lang.items()}),
                 zh.format(**fmt, **{k: v[1] for k, v in by_lang.items()}), lang)


_SCOPES: dict[str, tuple[str, str]] = {}
"""Labels (English, Chinese) of the districts of the scenario being reported; see
:func:`district_labels`."""


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced sense: a Chinese character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def _own_words(en: str, zh: str, lang: str) -> str:
    """A text the scenario gives in English and, optionally, in Chinese: the Chinese in
    Chinese outputs where it is given."""
    return (zh or en) if lang == "zh" else en


def description(scenario, lang: str = "en") -> str:
    """A scenario's description: its ``description_zh`` in Chinese outputs where it has one."""
    return _own_words(getattr(scenario, "description", "") or "", getattr(scenario, "description_zh", ""), lang)


def target_name(spec, lang: str = "en") -> str:
    """A target's name: its ``label_zh`` in Chinese outputs where it has one."""
    return _own_words(spec.name, getattr(spec, "label_zh", ""), lang)


def target_named(name: str, specs, lang: str = "en") -> str:
    """The label of the target called ``name`` among ``specs`` (a results'
    ``target_specs``), or ``name`` itself if none is."""
    spec = next((s for s in specs if s.name == name), None)
    return name if spec is None else target_name(spec, lang)


@contextmanager
def district_labels(scenario):
    """Within the block, a district scope in a metric (``payroll.xuanwu``) is labelled with
    the district's own names: its name in English, ``label_zh`` in Chinese."""
    old = dict(_SCOPES)
    _SCOPES.update({d.name: (d.name.replace("_", " ").title(), d.label_zh or d.name)
                    for d in getattr(scenario, "districts", ())})
    try:
        yield
    finally:
        _SCOPES.clear()
        _SCOPES.update(old)


def scope_pair(scope: str) -> tuple[str, str]:
    """The (English, Chinese) label of a metric's scope: a district's own names
    (:func:`district_labels`), or the urban / rural part's, as a total (合计)."""
    return WORDS[scope] if scope in ("urban", "rural") else _SCOPES.get(scope, (scope, scope))


def _metric_pair(metric: str) -> tuple[str, str]:
    base, _, scope = metric.partition(".")
    en, zh = METRICS.get(base) or _patterned(base) or (base.replace("_", " ").capitalize(), base)
    if scope:
        sen, szh = scope_pair(scope)
        if scope in ("urban", "rural") and base not in M.SUMMED_SCOPED:  # a share or an average: not a 合计
            szh = szh.removesuffix("合计")
        en, zh = f"{en}, {sen}", f"{zh}（{szh}）"
    return en, zh


def _patterned(base: str) -> tuple[str, str] | None:
    """Labels of the numbered metrics: grade_share_07, pyramid_f_25_29."""
    parts = base.split("_")
    if base.startswith("grade_share_") and parts[-1].isdigit():
        g = int(parts[-1])
        return f"Share in grade {g}", f"第{g}级占比"
    band = M.pyramid_band(base)
    if band is not None:
        sex, lo, hi = band  # as figures._band_label: <25, 25-29, ..., 65+
        ages = f"under {hi + 1}" if not lo else f"{lo} or more" if hi is None else f"{lo}-{hi}"
        ages_zh = f"{hi + 1}岁以下" if not lo else f"{lo}岁及以上" if hi is None else f"{lo}-{hi}岁"
        return f"{'Men' if sex == 'm' else 'Women'} aged {ages}", f"{'男' if sex == 'm' else '女'}性{ages_zh}"
    return None


def metric(name: str, lang: str = "en") -> str:
    """Label of a metric in one language: ``metric("payroll_base", "zh") == "基本工资"``."""
    en, zh = _metric_pair(name)
    return zh if lang == "zh" else en


def metric2(name: str, lang: str = "en") -> str:
    """Bilingual label, Chinese first for ``zh``: ``"基本工资 Base pay"``; English for ``en``."""
    return _both(*_metric_pair(name), lang)


def unit(name: str, lang: str = "en") -> str:
    """Unit of a metric in one language (shares are shown in %)."""
    u = M.unit(name)
    en, zh = UNITS.get(u, (u, u))
    return zh if lang == "zh" else en


def field_unit2(u: str, lang: str = "en") -> str:
    """A scenario field's unit ``u`` (the schema's, English), Chinese first for ``zh``
    (:data:`FIELD_UNITS`; a unit without a Chinese one as it is)."""
    return _both(u, FIELD_UNITS.get(u, u), lang) if u else ""


def unit2(name: str, lang: str = "en") -> str:
    """Unit of a metric, Chinese first then English for ``zh``; English for ``en``."""
    return _both(unit(name, "en"), unit(name, "zh"), lang)
