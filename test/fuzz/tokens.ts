// Pieces the fuzz targets build inputs from: the syntax of seed files and of feeds, and the shapes
// real folders and feeds are known to hold (DESIGN §3).
export const SEED_TOKENS: readonly string[] = [
  '\n', '\r\n', '\uFEFF', '---', '---\n', '\n---\n', 'title: ', 'title:', "'", '"', '"""""""', 'categories:', '\n - ', '\n    - ', '\n -  - ',
  'date: ', 'updated: ', 'Invalid Date', '2022-04-27 08:43:25', 'Wed, 27 Apr 2022 00:43:25 GMT', '99999-99-99', 'headimg: ', 'thumbnail: ',
  '/images/404.gif', 'https://picsum.photos/400/300?random=8787', '@name', '[Naver](https://n.example/)', '&a ', '*a', '!!binary ', '!!js/function ',
  '{', '}', '[', ']', ':', '|', '>', '%', '#', '&#123;', '&#125;', '<div>', '</div>', '<p>', '<style>.x{}</style>', '<!-- c -->', '            ', '```',
  '# heading', '\u0000', '\t', ' ', '撑腰', '_', '“', '”', 'author: ', 'comments: false', '<<: *a', '? ', '- ', '\\u', '\\',
];

export const FEED_TOKENS: readonly string[] = [
  '<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0">', '</rss>', '<channel>', '</channel>', '<item>', '</item>', '<title>', '</title>',
  '<link>', '</link>', 'https://news.example.com/a', '/relative/path', '<guid>', '</guid>', '<pubDate>', '</pubDate>', 'Wed, 27 Apr 2022 00:43:25 GMT',
  '2022-04-27T08:43:25+08:00', '<description>', '</description>', '<![CDATA[', ']]>', '&lt;p&gt;', '&amp;', '&#x0;', '&#65;', '&nbsp;', '&bogus;',
  '<content:encoded>', '</content:encoded>', '<dc:creator>', '</dc:creator>', '<category>', '</category>', '<enclosure url="x" type="image/png"/>',
  '<feed xmlns="http://www.w3.org/2005/Atom">', '</feed>', '<entry>', '</entry>', '<content type="html">', '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">',
  '</div></content>', '</content>', '<link rel="alternate" href="/a"/>', 'xml:base="http://base.example/"', '<updated>', '</updated>', '<id>', '</id>',
  '<!DOCTYPE rss [<!ENTITY e "x">]>', '{"version":"https://jsonfeed.org/version/1.1","items":[', '{"id":"1","content_html":"', '"}', ']}', '"title":', ',',
  '<html><head><link rel="alternate" type="application/rss+xml" href="/feed"></head>', '\u0000', '\uFFFE', '\uD800', '<', '>', '"', "'", '=',
];
