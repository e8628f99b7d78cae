// What "active content" means for the sanitizer properties: checked on the output parsed the way a
// browser parses it (parse5 through cheerio), not by string search alone.
import * as cheerio from 'cheerio';

const ALLOWED_TAGS = new Set([
  'p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'b', 'strong', 'i', 'em', 'u', 's', 'sub', 'sup', 'small',
  'mark', 'span', 'div', 'blockquote', 'q', 'pre', 'code', 'hr', 'del', 'ins', 'a', 'img', 'ul', 'ol', 'li',
  'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'figure', 'figcaption',
  // added by the parser around a fragment
  'html', 'head', 'body',
]);
const URL_ATTRIBUTES = new Set(['href', 'src', 'srcset', 'action', 'formaction', 'background', 'poster', 'xlink:href', 'data']);

/** Problems found in sanitized HTML; empty when it holds no active content. */
export function activeContent(html: string): string[] {
  const problems: string[] = [];
  const $ = cheerio.load(html);
  $('*').each((_, node) => {
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') return;
    const name = node.name.toLowerCase();
    if (!ALLOWED_TAGS.has(name)) problems.push(`element <${name}>`);
    for (const [attr, value] of Object.entries(node.attribs ?? {})) {
      const lower = attr.toLowerCase();
      if (lower.startsWith('on')) problems.push(`event handler ${attr}`);
      if (lower === 'style' || lower === 'srcdoc' || lower === 'formaction' || lower === 'class' || lower === 'id' || lower.startsWith('data-')) problems.push(`attribute ${attr}`);
      if (URL_ATTRIBUTES.has(lower)) {
        for (const url of lower === 'srcset' ? value.split(',').map((part) => part.trim().split(/\s+/)[0] ?? '') : [value]) {
          // Browsers drop tabs and newlines inside schemes and ignore leading controls and spaces.
          const scheme = url.replace(/[\u0000-\u0020]/g, '').toLowerCase();
          if (!/^(https?:\/\/|mailto:)/.test(scheme)) problems.push(`${attr}="${value}"`);
        }
      }
    }
  });
  // Comments can hide conditional-comment payloads for old IE and break out of contexts.
  if (/<!--/.test(html)) problems.push('comment');
  return problems;
}

/** Known XSS vectors (OWASP filter-evasion cheat sheet, html5sec.org, mutation XSS reports). */
export const XSS_VECTORS: readonly string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<IMG SRC="javascript:alert(1);">',
  '<IMG SRC=javascript:alert(1)>',
  '<IMG SRC=JaVaScRiPt:alert(1)>',
  '<IMG SRC=`javascript:alert(1)`>',
  '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
  '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>',
  '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29>',
  '<IMG SRC="jav\tascript:alert(1);">',
  '<IMG SRC="jav&#x0A;ascript:alert(1);">',
  '<IMG SRC=" &#14;  javascript:alert(1);">',
  '<img src=x onerror=alert(1)>',
  '<img src="https://ok.example/a.png" onload="alert(1)">',
  '<IMG onmouseover="alert(1)">',
  '<BODY ONLOAD=alert(1)>',
  '<svg/onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JAVASCRIPT:alert(1)">x</a>',
  '<a href=" javascript:alert(1)">x</a>',
  '<a href="java&#x09;script:alert(1)">x</a>',
  '<a href="&#x6A;avascript:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<a href="//evil.example/x">protocol-relative</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<button formaction="javascript:alert(1)">x</button>',
  '<input onfocus=alert(1) autofocus>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<audio src=x onerror=alert(1)>',
  '<marquee onstart=alert(1)>',
  '<body background="javascript:alert(1)">',
  '<TABLE BACKGROUND="javascript:alert(1)"><tr><td>x</td></tr></TABLE>',
  '<DIV STYLE="background-image: url(javascript:alert(1))">x</DIV>',
  '<DIV STYLE="width: expression(alert(1));">x</DIV>',
  '<STYLE>@import\'https://xss.example/xss.css\';</STYLE>',
  '<style>body{background:url("javascript:alert(1)")}</style>',
  '<LINK REL="stylesheet" HREF="javascript:alert(1);">',
  '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1);">',
  '<BASE HREF="javascript:alert(1);//">',
  '<!--[if gte IE 4]><SCRIPT>alert(1);</SCRIPT><![endif]-->',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<textarea><img src=x onerror=alert(1)></textarea>',
  '<title><img src=x onerror=alert(1)></title>',
  '<template><script>alert(1)</script></template>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<noembed><img src=x onerror=alert(1)></noembed>',
  '<p id="x" class="y" data-x="1" style="color:red">attrs</p>',
  '<a href="https://ok.example/" onclick="alert(1)">x</a>',
  '<img srcset="javascript:alert(1) 1x, https://ok.example/a.png 2x">',
  '<<SCRIPT>alert(1);//<</SCRIPT>',
  '<SCRIPT/XSS SRC="https://xss.example/xss.js"></SCRIPT>',
  '<IMG SRC="javascript:alert(1)"',
  '"><script>alert(1)</script>',
  '</p><script>alert(1)</script><p>',
  '<![CDATA[<script>alert(1)</script>]]>',
  '<?xml-stylesheet href="javascript:alert(1)"?>',
  '<x onclick=alert(1)>click</x>',
  '<isindex action="javascript:alert(1)" type=image>',
  '<a href="jav&#97;script&colon;alert(1)">x</a>',
  '<a href="javascript&colon;alert(1)">x</a>',
  '<img src=x:alert(1) onerror=eval(src)>',
];
