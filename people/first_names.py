"""First names as names: the other forms of a first name (diminutives, spellings, transliterations), and the
common first names, so that two of them one letter apart (Marie and Marine, Lina and Léna) are told apart from
a typo (Mraie for Marie).

Written folded (lowercase, no accents), one word each: the parts of a compound name (Jean-Pierre) are compared
one by one. A name may belong to several groups: « chris » is a short form of Christophe, Christine and
Christian, which are not forms of each other.
"""

from relais.text import fold

# One group a line: forms of the same first name.
VARIANTS = """
mohamed mohammed mohamad mohammad muhammad mouhamed mouhammed mouhamad mohammedi
ahmed ahmad ahmet
youssef yousef youcef yusuf youssouf yousouf
ibrahim ibrahima brahim ebrahim
ismael ismail ismaila
ilyes ilyas ilies iliess
mehdi mahdi
yanis yannis ianis
rayan rayane ryan
oumar omar umar
ousmane osman othmane outhmane
souleymane suleyman soulaymane soulemane
abdoulaye abdallah abdellah abdullah
abdelkader abdelkadir kader
djamel jamel jamal djamal
kamel kamal
rachid rashid
nordine noureddine nourredine nourdine
redouane redwane ridouane
mustapha mustafa moustapha moustafa
said saeed sayed
yacine yassine yasine
sofiane soufiane sofian
walid oualid
hicham hichem
hassan hassane hasan
hussein houssein huseyin
idrissa idriss idris
khalid khaled
fatima fatma fatimata
aicha aisha aichatou
khadija khadidja kadidja khadidja
myriam miriam meriem meryem mariam maryam
leila leyla laila layla
yasmine yasmina jasmine
nour noor
naima naema
chaima chaimae
imane imene iman
assia asia
soraya sorraya
catherine cathy cathie katherine kathy
christophe chris
christine chris kristine
christian chris
stephane steph
stephanie steph
nathalie natalie nath
mickael michael mikael mikail
alexandre alex
alexandra alex
alexis alex
sebastien seb
nicolas nico
frederic fred
frederique fred
thomas tom tommy
maximilien max
maxime max
benjamin ben
anthony antony tony
jeremy jeremie
matthieu mathieu
mathis mattis matis
mathias matthias
elisabeth elizabeth babeth
isabelle isabel isabella isa
margot margaux
marie maria
ana anna
sophie sophia sofia
laetitia letitia
laurence lolo
helene helena elena
veronique vero
valerie val
emmanuel manu
emmanuelle manu
dominique dom
philippe phil
daniel dany danny
raphael rafael
kevin kevyn
noah noa
lucas luka luca
nathan natan
hugo ugo
quentin kentin
louis luis luiz
jose joseph
joao joaquim
antonio tonio
francisco chico
maelys maelis
lea leah
sarah sara sarra
jessica jessy
gregory gregori greg
florence flo
florian flo
florent flo
caroline caro
beatrice bea
sandrine sandy
patrick pat
patricia pat
"""

# Common first names in France, of every generation and origin (with the forms above): two of them are two
# names, never a typo of each other.
COMMON = """
adam adele adelaide adeline adrien adrienne agathe agnes ahmed aicha alain alban albane albert alexandre alexis
alice aline alix amandine amaury ambre amelie amine amina anais andre andree andrea angelique anne annie annick
antoine anthony apolline arianne arnaud arthur audrey aude augustin aurelie aurelien aurore axel axelle baptiste
barbara bastien beatrice benedicte benjamin benoit bernadette bernard bertrand blanche brigitte bruno camille
capucine carine carole caroline cecile cedric celestin celine celia chantal charles charlene charlotte chloe
christelle christian christiane christine christophe claire clara claude claudine clement clemence clotilde
colette coline colin constance corentin corinne cyril cyrille damien daniel danielle david delphine denis denise
diane didier dominique dorian dorothee dylan edith edouard eleonore elia elie eliane elisa elise ella elodie
eloise emile emilie emilien emma emmanuel emmanuelle enzo eric erwan estelle esther ethan etienne eugene eugenie
eva eve evelyne fabien fabienne fabrice fanny felix fernand fernande flavie florence florent florian francis
francine franck francois francoise frederic frederique gabin gabriel gabrielle gael gaelle gaetan gaspard
genevieve georges gerald gerard germain gilbert gilles ginette gisele gregoire gregory guillaume gustave guy
helene henri henriette herve hortense hugo hugues ines irene isabelle jacqueline jacques jade jean jeanne jeannine
jeremie jeremy jerome jessica joel joelle johan johanna jonathan jordan joseph josephine josette josiane jules
julia julie julien juliette justin justine karine kevin laetitia lara laura laure laurence laurent lea leandre
leo leon leonie lina lena leane liam lilou lisa lise loic lola lou louane louis louise louna luc luca lucas lucie
lucien lucienne ludivine ludovic lydie madeleine mael maelle maelys magali manon marc marcel marcelle margaux
marguerite marianne marie marine mario marion marius marthe martin martine mathieu mathilde mathis matteo maud
maurice max maxence maxime mayeul melanie melissa melodie michel michele michelle mickael mireille monique morgan
morgane muriel murielle myriam nadege nadine nadia nathalie nathan nicolas nicole noa noah noe noel noelle noemie
nolan oceane odette odile olivia olivier oscar pascal pascale patrice patricia patrick paul paule pauline
perrine philippe pierre quentin rachel raphael raphaelle raymond regine remi renaud rene renee robert robin
rodolphe roger roland romain romane romeo rose rosalie sabine sabrina sacha salome samuel sandra sandrine sarah
sebastien serge simon simone solene solange sophie stephane stephanie suzanne sylvain sylvie tanguy theo
theophile therese thibault thibaut thierry thomas timothee tiphaine tom tristan ugo valentin valentine valerie
vanessa victor victoire vincent violette virginie vivien viviane xavier yann yannick yvan yves yvette yvonne
zoe
karim karima rachid rachida mehdi samir samira sami samia nabil nadir farid farida mourad hakim walid omar amine
ilyes rayan anis hamza malik malika said kamel nordine redouane khalid mustapha djamel aymen yanis ismael bachir
brahim bilal yacine sofiane youssef yasmine nora leila fatima amina souad khadija meriem nour kenza sofia imane
salma assia djamila hafsa rania naima soraya yamina hayat chaima wafa houda zineb aya hanane abdelkader
mamadou moussa ibrahima abdoulaye ousmane amadou boubacar souleymane sekou modibo cheikh lamine moctar mahamadou
bakary seydou issa adama alassane oumar demba samba lassana siaka karamoko babacar ibrahim idrissa youssouf
fatoumata aminata mariam aissatou awa kadiatou fanta hawa oumou assa djeneba bintou coumba ramatoulaye maimouna
nafissatou khady sokhna ndeye salimata mariama kadidia astou diarra rokia binta fatou safiatou
ana maria carla beatriz joana paula rosa carmen lucia elena isabel giulia francesca chiara alessandra cristina
catarina marta sara daniela tania mariana raquel filipa joao jose antonio carlos manuel paulo pedro rui miguel
luis tiago ricardo nuno jorge francisco javier alejandro diego pablo sergio marco matteo giuseppe giovanni
alessandro andrea stefano fabio
thi lan mai linh hoa huong thu ngoc anh mei ling yan jing xiu sophea dara chantha kim mylene lily minh tuan duc
hung nam long quang van hai thanh wei jun hao chen sovann vannak tony
elif zeynep ayse fatma emine hatice merve busra esra derya ozlem melek sevgi dilara ebru mehmet ahmet ali huseyin
hasan murat emre burak yusuf omer kemal serkan volkan
"""


def _groups(text):
    groups = {}
    for number, line in enumerate(text.strip().splitlines()):
        for name in fold(line).split():
            groups.setdefault(name, set()).add(number)
    return {name: frozenset(numbers) for name, numbers in groups.items()}


GROUPS = _groups(VARIANTS)
KNOWN = frozenset(fold(COMMON).split()) | frozenset(GROUPS)
_MEMBERS = {}
for _name, _numbers in GROUPS.items():
    for _number in _numbers:
        _MEMBERS.setdefault(_number, set()).add(_name)


def forms_of(name):
    """The folded name and its other forms: « cathy » → cathy, cathie, catherine, katherine, kathy."""
    return {name}.union(*(_MEMBERS[number] for number in GROUPS.get(name, ())))


def are_variants(first, second):
    """Whether two folded first names are forms of the same name (« cathy » and « catherine »)."""
    return bool(GROUPS.get(first, frozenset()) & GROUPS.get(second, frozenset()))


def is_known(name):
    return name in KNOWN
