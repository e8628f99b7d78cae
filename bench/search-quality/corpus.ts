// The labelled search set: news-style stories written for this benchmark (Chinese and English, in the
// shapes the aggregator stores: a headline, a few paragraphs of HTML, near-duplicates from other
// sources or in traditional characters) and queries with the stories a reader means by them.

export interface LabelledStory {
  id: string;
  title: string;
  /** Days before the benchmark's "now". */
  age: number;
  html: string;
}

export interface LabelledQuery {
  query: string;
  lang: 'zh' | 'en';
  /** Ids of the stories the query should find. */
  relevant: string[];
}

const p = (...paragraphs: string[]): string => paragraphs.map((text) => `<p>${text}</p>`).join('\n');

export const STORIES: LabelledStory[] = [
  { id: 'zh-fintech', title: '为实体经济提质增效 深圳速度背后的金融科技力量', age: 3, html: p(
    '在前海，一批金融科技企业正在把区块链和大数据用在供应链金融上，中小企业的融资时间从两周缩短到两天。',
    '业内人士认为，“深圳速度”离不开监管沙盒和开放的数据接口。今年以来，深圳金融科技企业的融资规模同比增长三成。') },
  { id: 'zh-fintech-dup', title: '“深圳速度”背后的金融科技力量（附图）', age: 3, html: p(
    '前海的金融科技企业用区块链和大数据服务供应链金融，中小企业融资时间由两周缩短为两天。',
    '分析称，深圳速度得益于监管沙盒。图为前海自贸区一角。') },
  { id: 'zh-rrr', title: '央行宣布降准0.5个百分点 释放长期资金约1万亿元', age: 10, html: p(
    '中国人民银行宣布下调金融机构存款准备金率0.5个百分点，预计释放长期资金约1万亿元。',
    '市场人士表示，此次降准有助于降低银行资金成本，支持实体经济，股市和债市应声上涨。') },
  { id: 'zh-rrr-trad', title: '央行宣佈降準0.5個百分點 釋放長期資金約1萬億元', age: 10, html: p(
    '中國人民銀行宣佈下調金融機構存款準備金率0.5個百分點，預計釋放長期資金約1萬億元。',
    '市場人士表示，此次降準有助於降低銀行資金成本。') },
  { id: 'zh-ev-export', title: '新能源汽车出口量同比增长超七成', age: 20, html: p(
    '海关数据显示，前十个月我国新能源汽车出口量同比增长超过七成，欧洲和东南亚是主要市场。',
    '多家车企在海外建厂，电池和整车企业一同“出海”。') },
  { id: 'zh-ai-rules', title: '生成式人工智能服务管理办法正式施行', age: 40, html: p(
    '国家网信办等部门联合发布的生成式人工智能服务管理暂行办法正式施行，大模型上线需备案。',
    '办法要求服务提供者对训练数据来源的合法性负责，并对生成内容进行标识。') },
  { id: 'zh-housing', title: '多个一线城市优化限购政策 房地产市场迎来调整', age: 15, html: p(
    '广州、深圳先后宣布优化住房限购政策，非核心区域购房不再审核购房资格。',
    '分析人士认为，楼市政策调整有助于稳定房地产市场预期，但成交量回升仍需时间。') },
  { id: 'zh-chips', title: '芯片产业链加速国产替代 设备企业订单饱满', age: 8, html: p(
    '受外部出口管制影响，国内芯片制造企业加快采购国产设备，多家半导体设备企业订单排到明年。',
    '光刻机仍是短板，业内预计国产替代将持续多年。') },
  { id: 'zh-ecommerce', title: '跨境电商海外仓数量突破2000个', age: 25, html: p(
    '商务部表示，我国跨境电商企业建设的海外仓已超过2000个，面积超过2000万平方米。',
    '海外仓让消费者收货时间从一个月缩短到一周。') },
  { id: 'zh-flood', title: '长江流域遭遇强降雨 多地启动防汛应急响应', age: 2, html: p(
    '受持续强降雨影响，长江中下游多地水位超过警戒线，湖北、安徽启动防汛四级应急响应。',
    '气象部门预计，未来三天暴雨仍将持续。') },
  { id: 'zh-air', title: '北京今冬空气质量创同期最好水平', age: 30, html: p(
    '北京市生态环境局通报，今年冬季细颗粒物平均浓度创有监测以来同期最低，重污染天数为零。',
    '专家认为，清洁取暖和机动车治理是空气质量改善的主要原因。') },
  { id: 'zh-ecny', title: '数字人民币试点范围再扩大', age: 50, html: p(
    '数字人民币试点新增多个省份，试点场景覆盖交通出行、缴税和跨境支付。',
    '央行表示，将稳妥推进数字人民币研发，保护用户隐私。') },
  { id: 'zh-a-shares', title: 'A股成交额连续三日突破万亿 券商板块领涨', age: 5, html: p(
    '沪深两市成交额连续三个交易日突破1万亿元，券商板块集体大涨，多只个股涨停。',
    '分析人士提醒，短期涨幅过大，投资者需注意风险。') },
  { id: 'zh-bitcoin', title: '比特币价格创历史新高 突破十万美元', age: 4, html: p(
    '比特币价格周三突破十万美元，创下历史新高，年内涨幅超过一倍。',
    '分析师认为，现货比特币ETF的资金流入是上涨的主要推动力。') },
  { id: 'zh-livestream', title: '乡村振兴：农产品搭上直播带货快车', age: 60, html: p(
    '在云南，越来越多的农民通过直播带货销售水果和茶叶，一场直播卖出上万单。',
    '地方政府为农户提供电商培训，农产品上行渠道更加畅通。') },
  { id: 'zh-rail', title: '成渝中线高铁开通在即 两地通行时间缩短至50分钟', age: 12, html: p(
    '成渝中线高铁进入联调联试阶段，开通后成都至重庆最快50分钟可达。',
    '这条高铁设计时速350公里，将带动沿线城市发展。') },
  { id: 'zh-drugs', title: '第九批药品集采结果公布 平均降价58%', age: 45, html: p(
    '国家医保局公布第九批国家组织药品集中带量采购结果，中选药品平均降价58%。',
    '患者用药负担将进一步减轻，医保基金使用效率提高。') },
  { id: 'zh-export-control', title: '美方升级半导体出口管制 中方回应', age: 9, html: p(
    '美国商务部发布新规，进一步限制先进芯片和芯片制造设备对华出口。',
    '商务部新闻发言人表示，将采取必要措施维护企业正当权益。') },
  { id: 'zh-gba', title: '粤港澳大湾区出台高层次人才新政', age: 35, html: p(
    '大湾区内地九市推出人才新政，对在大湾区工作的境外高端人才给予个人所得税补贴。',
    '香港和澳门的专业人士在内地执业的门槛进一步降低。') },
  { id: 'zh-games', title: '国家新闻出版署发放新一批游戏版号', age: 18, html: p(
    '国家新闻出版署公布新一批国产网络游戏审批信息，共有105款游戏获得版号。',
    '游戏行业人士表示，版号常态化发放有利于行业稳定发展。') },
  { id: 'zh-solar', title: '光伏行业产能过剩 组件价格跌破每瓦一元', age: 22, html: p(
    '光伏组件价格持续下跌，部分产品报价跌破每瓦1元，行业进入洗牌期。',
    '多家光伏企业放缓扩产计划，产能过剩问题引发关注。') },
  { id: 'zh-pension', title: '基本养老金今年上调3%', age: 70, html: p(
    '人力资源社会保障部、财政部发布通知，今年退休人员基本养老金总体上调3%。',
    '这是基本养老金连续第二十次上调。') },
  { id: 'zh-market-wrap', title: '今日市场综述：股市震荡 债市走强', age: 1, html: p(
    '今日A股震荡整理，成交额小幅回落；债券市场走强，国债收益率下行。',
    '市场关注央行下一步政策和房地产数据。') },

  { id: 'en-btc-etf', title: 'SEC approves the first spot Bitcoin ETFs', age: 30, html: p(
    'The Securities and Exchange Commission approved eleven spot Bitcoin exchange-traded funds on Wednesday, ending a decade-long fight.',
    'Trading began on Thursday with more than $4.6 billion in volume, according to data from Bloomberg.') },
  { id: 'en-btc-etf-dup', title: 'SEC approves first spot bitcoin ETFs', age: 30, html: p(
    'U.S. regulators approved the first spot bitcoin exchange-traded funds, a watershed for the crypto industry.',
    'The funds started trading on Thursday.') },
  { id: 'en-fed', title: 'Federal Reserve holds interest rates steady, signals cuts later this year', age: 6, html: p(
    'The Federal Reserve left its benchmark interest rate unchanged at its March meeting and signalled three cuts before the end of the year.',
    'Chair Jerome Powell said inflation was moving down, but the labour market remained strong.') },
  { id: 'en-ev-europe', title: 'Electric vehicle sales slow in Europe as subsidies end', age: 14, html: p(
    'Sales of battery electric cars in Europe fell in the third quarter after Germany ended its purchase subsidies.',
    'Carmakers are cutting prices to clear stock, while Chinese brands keep gaining market share.') },
  { id: 'en-ai-chips', title: 'AI chip shortage squeezes cloud providers', age: 11, html: p(
    'Cloud providers are rationing graphics processors as demand for training large language models outstrips supply.',
    'Nvidia said its data-centre revenue tripled from a year earlier.') },
  { id: 'en-heatwave', title: 'Heatwave grips southern Europe as wildfires spread', age: 3, html: p(
    'Temperatures above 44°C were recorded in Sicily and Sardinia, and wildfires forced thousands of tourists to leave Rhodes.',
    'Scientists said climate change made such heatwaves far more likely.') },
  { id: 'en-boj', title: 'Bank of Japan ends negative interest rates', age: 21, html: p(
    'The Bank of Japan raised its short-term policy rate for the first time in seventeen years, ending the era of negative rates.',
    'The yen weakened after the decision, which markets had largely expected.') },
  { id: 'en-mortgage', title: 'Mortgage rates climb to their highest level in two decades', age: 16, html: p(
    'The average 30-year fixed mortgage rate rose above 7.5%, pushing housing affordability to a record low.',
    'Home sales fell for the fourth month in a row.') },
  { id: 'en-apple', title: 'Apple earnings beat expectations on strong iPhone demand', age: 27, html: p(
    'Apple reported quarterly revenue of $119.6 billion, ahead of analyst estimates, helped by iPhone sales in the holiday quarter.',
    'Services revenue hit a record.') },
  { id: 'en-oil', title: 'Oil prices fall as OPEC+ raises output', age: 8, html: p(
    'Brent crude fell 3% to $78 a barrel after OPEC+ agreed to raise production from next month.',
    'Analysts expect the oil market to be in surplus next year.') },
  { id: 'en-shenzhen-vc', title: 'Shenzhen tech startups draw record venture capital', age: 19, html: p(
    'Venture capital funds invested a record amount in Shenzhen hardware and robotics startups this year.',
    'Investors cited the city\'s supply chains and speed of manufacturing — what locals call "Shenzhen speed".') },
  { id: 'en-climate', title: 'Climate summit agrees to transition away from fossil fuels', age: 55, html: p(
    'Nearly 200 countries at the COP28 climate summit in Dubai agreed to transition away from fossil fuels in energy systems.',
    'Small island states said the deal did not go far enough.') },
  { id: 'en-export-controls', title: 'US tightens semiconductor export controls on China', age: 9, html: p(
    'The Commerce Department expanded restrictions on exports of advanced AI chips and chipmaking equipment to China.',
    'Chip stocks fell on the news.') },
  { id: 'en-football', title: 'Real Madrid win the Champions League final', age: 33, html: p(
    'Real Madrid beat Borussia Dortmund 2-0 at Wembley to win the Champions League for a record 15th time.',
    'Vinicius Junior scored the second goal.') },
  { id: 'en-remote', title: 'Offices stay half empty as remote work sticks', age: 48, html: p(
    'Office occupancy in large US cities remains around half of pre-pandemic levels, according to keycard data.',
    'Employers are pushing for more days in the office, with mixed results.') },
  { id: 'en-breach', title: 'Data breach at regional bank exposes customer records', age: 7, html: p(
    'A cyberattack on a regional bank exposed names, account numbers and social security numbers of 1.2 million customers.',
    'The bank said it had notified regulators and offered credit monitoring.') },
  { id: 'en-eurozone', title: 'Eurozone inflation cools to 2.4%', age: 13, html: p(
    'Consumer price inflation in the euro area slowed to 2.4% in November, the lowest in more than two years.',
    'Economists now expect the European Central Bank to cut rates in the spring.') },
  { id: 'en-spacex', title: 'SpaceX catches Starship booster on the launch tower', age: 24, html: p(
    'SpaceX caught the Super Heavy booster with the launch tower\'s mechanical arms on its fifth test flight.',
    'The feat brings fully reusable rockets a step closer.') },
  { id: 'en-tariffs', title: 'Tariffs on steel and aluminium raised to 25%', age: 17, html: p(
    'The government raised tariffs on imported steel and aluminium to 25%, citing national security.',
    'Trading partners threatened retaliation.') },
  { id: 'en-streaming', title: 'Streaming services raise prices again', age: 29, html: p(
    'Netflix, Disney+ and other streaming services announced price increases of up to 20% for their ad-free plans.',
    'Subscribers are increasingly switching to cheaper plans with advertising.') },
  { id: 'en-battery-recycling', title: 'Electric vehicle batteries get a second life through recycling', age: 38, html: p(
    'Start-ups are recovering lithium, nickel and cobalt from used electric vehicle batteries at industrial scale.',
    'Recycling could supply a tenth of battery metals by 2030.') },
  { id: 'en-battery-recycling-dup', title: 'Recycling EV batteries becomes a new industry', age: 37, html: p(
    'Recovering lithium and cobalt from old EV batteries is turning into a business of its own.',
    'Investors poured money into battery recycling plants this year.') },
  { id: 'en-market-wrap', title: 'Markets wrap: stocks mixed, bonds rally', age: 1, html: p(
    'Stocks ended mixed as investors weighed interest rates, oil prices and earnings; Treasury bonds rallied.',
    'Bitcoin, tariffs and inflation data were also in focus.') },
];

export const QUERIES: LabelledQuery[] = [
  { query: '深圳速度', lang: 'zh', relevant: ['zh-fintech', 'zh-fintech-dup'] },
  { query: '金融科技', lang: 'zh', relevant: ['zh-fintech', 'zh-fintech-dup'] },
  { query: '前海 区块链', lang: 'zh', relevant: ['zh-fintech', 'zh-fintech-dup'] },
  { query: '降准', lang: 'zh', relevant: ['zh-rrr', 'zh-rrr-trad'] },
  { query: '存款准备金率', lang: 'zh', relevant: ['zh-rrr', 'zh-rrr-trad'] },
  { query: '降準', lang: 'zh', relevant: ['zh-rrr', 'zh-rrr-trad'] },
  { query: '新能源汽车 出口', lang: 'zh', relevant: ['zh-ev-export'] },
  { query: '人工智能', lang: 'zh', relevant: ['zh-ai-rules'] },
  { query: '大模型 备案', lang: 'zh', relevant: ['zh-ai-rules'] },
  { query: '限购', lang: 'zh', relevant: ['zh-housing'] },
  { query: '楼市', lang: 'zh', relevant: ['zh-housing'] },
  { query: '国产替代', lang: 'zh', relevant: ['zh-chips'] },
  { query: '光刻机', lang: 'zh', relevant: ['zh-chips'] },
  { query: '海外仓', lang: 'zh', relevant: ['zh-ecommerce'] },
  { query: '防汛', lang: 'zh', relevant: ['zh-flood'] },
  { query: '暴雨', lang: 'zh', relevant: ['zh-flood'] },
  { query: '空气质量', lang: 'zh', relevant: ['zh-air'] },
  { query: '数字人民币', lang: 'zh', relevant: ['zh-ecny'] },
  { query: '券商', lang: 'zh', relevant: ['zh-a-shares'] },
  { query: '成交额', lang: 'zh', relevant: ['zh-a-shares', 'zh-market-wrap'] },
  { query: '比特币', lang: 'zh', relevant: ['zh-bitcoin'] },
  { query: '直播带货', lang: 'zh', relevant: ['zh-livestream'] },
  { query: '高铁', lang: 'zh', relevant: ['zh-rail'] },
  { query: '集采', lang: 'zh', relevant: ['zh-drugs'] },
  { query: '医保', lang: 'zh', relevant: ['zh-drugs'] },
  { query: '出口管制', lang: 'zh', relevant: ['zh-export-control', 'zh-chips'] },
  { query: '大湾区 人才', lang: 'zh', relevant: ['zh-gba'] },
  { query: '游戏版号', lang: 'zh', relevant: ['zh-games'] },
  { query: '光伏', lang: 'zh', relevant: ['zh-solar'] },
  { query: '养老金', lang: 'zh', relevant: ['zh-pension'] },
  { query: '央行', lang: 'zh', relevant: ['zh-rrr', 'zh-rrr-trad', 'zh-ecny'] },

  { query: 'Bitcoin ETF', lang: 'en', relevant: ['en-btc-etf', 'en-btc-etf-dup'] },
  { query: 'bitcoin', lang: 'en', relevant: ['en-btc-etf', 'en-btc-etf-dup'] },
  { query: 'spot bitcoin exchange-traded funds', lang: 'en', relevant: ['en-btc-etf', 'en-btc-etf-dup'] },
  { query: 'Federal Reserve', lang: 'en', relevant: ['en-fed'] },
  { query: 'interest rates', lang: 'en', relevant: ['en-fed', 'en-boj'] },
  { query: 'Powell', lang: 'en', relevant: ['en-fed'] },
  { query: 'electric vehicle', lang: 'en', relevant: ['en-ev-europe', 'en-battery-recycling'] },
  { query: 'EV', lang: 'en', relevant: ['en-battery-recycling-dup'] },
  { query: 'AI chips', lang: 'en', relevant: ['en-ai-chips', 'en-export-controls'] },
  { query: 'Nvidia', lang: 'en', relevant: ['en-ai-chips'] },
  { query: 'heatwave', lang: 'en', relevant: ['en-heatwave'] },
  { query: 'wildfires', lang: 'en', relevant: ['en-heatwave'] },
  { query: 'Bank of Japan', lang: 'en', relevant: ['en-boj'] },
  { query: 'negative rates', lang: 'en', relevant: ['en-boj'] },
  { query: 'mortgage', lang: 'en', relevant: ['en-mortgage'] },
  { query: 'Apple earnings', lang: 'en', relevant: ['en-apple'] },
  { query: 'iPhone', lang: 'en', relevant: ['en-apple'] },
  { query: 'OPEC', lang: 'en', relevant: ['en-oil'] },
  { query: 'oil prices', lang: 'en', relevant: ['en-oil', 'en-market-wrap'] },
  { query: 'Shenzhen', lang: 'en', relevant: ['en-shenzhen-vc'] },
  { query: 'venture capital', lang: 'en', relevant: ['en-shenzhen-vc'] },
  { query: 'fossil fuels', lang: 'en', relevant: ['en-climate'] },
  { query: 'export controls', lang: 'en', relevant: ['en-export-controls'] },
  { query: 'Champions League', lang: 'en', relevant: ['en-football'] },
  { query: 'remote work', lang: 'en', relevant: ['en-remote'] },
  { query: 'data breach', lang: 'en', relevant: ['en-breach'] },
  { query: 'inflation', lang: 'en', relevant: ['en-eurozone', 'en-fed'] },
  { query: 'SpaceX Starship', lang: 'en', relevant: ['en-spacex'] },
  { query: 'tariffs', lang: 'en', relevant: ['en-tariffs'] },
  { query: 'streaming prices', lang: 'en', relevant: ['en-streaming'] },
  { query: 'battery recycling', lang: 'en', relevant: ['en-battery-recycling', 'en-battery-recycling-dup'] },
];
